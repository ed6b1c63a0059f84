import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { demoCatalog } from '../support/harness.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const databaseUrl = process.env.TEST_DATABASE_URL;

interface Backend {
  readonly name: string;
  /** Prepares an empty store with the catalog; returns the CLI options and environment that serve from it. */
  prepare(): Promise<{ args: string[]; env: Record<string, string>; cleanup: () => Promise<void> }>;
  /** Opens the store the server wrote to, to count what it holds. */
  open(): Promise<Awaited<ReturnType<typeof openStore>>>;
}

const backends: Backend[] = [];
{
  const dataDir = mkdtempSync(join(tmpdir(), 'touchpoint-crash-'));
  backends.push({
    name: 'the embedded store',
    prepare: async () => {
      const store = await openStore({ dataDir });
      await store.saveCatalog(demoCatalog);
      await store.close();
      return {
        args: ['--data-dir', dataDir],
        env: {},
        cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
      };
    },
    open: () => openStore({ dataDir }),
  });
}
if (databaseUrl) {
  const schema = `tp_crash_${Date.now().toString(36)}`;
  backends.push({
    name: 'PostgreSQL',
    prepare: async () => {
      const store = await openStore({ databaseUrl, schema });
      await store.saveCatalog(demoCatalog);
      await store.close();
      const url = new URL(databaseUrl);
      url.searchParams.set('options', `-c search_path=${schema}`);
      return {
        args: [],
        env: { DATABASE_URL: url.toString() },
        cleanup: async () => {
          const admin = new pg.Client({ connectionString: databaseUrl });
          await admin.connect();
          await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          await admin.end();
        },
      };
    },
    open: () => openStore({ databaseUrl, schema }),
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(backends)('the API killed and restarted under a stream of batches, on $name', (backend) => {
  let cleanup: () => Promise<void> = async () => {};
  afterAll(() => cleanup());

  it('stores every touchpoint sent exactly once, and each profile counts exactly what is stored', {
    timeout: 300_000,
  }, async () => {
    const prepared = await backend.prepare();
    cleanup = prepared.cleanup;
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let child: ChildProcess | undefined;
    const start = async () => {
      child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--port', String(port), ...prepared.args], {
        env: { ...process.env, ...prepared.env, TOUCHPOINT_RATE_LIMITS: '{"perAddress":null,"perSiteKey":null}' },
        stdio: 'ignore',
      });
      for (;;) {
        if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
        const healthy = await fetch(`${base}/healthz`).then(
          (response) => response.ok,
          () => false,
        );
        if (healthy) return;
        // Polls the health check (the signal that it serves); the pause only spaces the attempts.
        await sleep(100);
      }
    };
    const kill = async () => {
      const dying = child;
      if (!dying || dying.exitCode !== null) return;
      const exited = new Promise((resolve) => dying.once('exit', resolve));
      dying.kill('SIGKILL');
      await exited;
    };

    // SDK-like senders: each device sends batches in order and retries a failed batch with the same ids.
    const sent: string[] = [];
    const devices = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    let sending = true;
    let attempts = 0;
    let failures = 0;
    /** Batches the API has acknowledged, and those waiting for a count of them. */
    let acknowledged = 0;
    const waiting: Array<{ count: number; reached: () => void }> = [];
    const acknowledgedBatches = (count: number) =>
      new Promise<void>((reached) => {
        if (acknowledged >= count) reached();
        else waiting.push({ count, reached });
      });
    const sender = async (device: string) => {
      let sequence = 0;
      while (sending) {
        const touchpoints = Array.from({ length: 20 }, () => ({
          id: crypto.randomUUID(),
          type: 'page_view',
          occurredAt: new Date(Date.UTC(2026, 10, 1) + sequence++ * 1000).toISOString(),
          channel: 'netbank',
          page: '/pension',
        }));
        const body = JSON.stringify({ anonymousId: device, touchpoints });
        for (;;) {
          attempts += 1;
          const ok = await fetch(`${base}/v1/touchpoints`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-touchpoint-key': 'pk_demo_netbank' },
            body,
          }).then(
            async (response) => {
              await response.arrayBuffer();
              return response.status === 200;
            },
            () => false,
          );
          if (ok) break;
          failures += 1;
          // A device's back-off before it sends again, as the SDK's; not a wait for anything.
          await sleep(50);
        }
        sent.push(...touchpoints.map((touchpoint) => touchpoint.id));
        acknowledged += 1;
        for (const waiter of waiting.filter(({ count }) => acknowledged >= count)) {
          waiting.splice(waiting.indexOf(waiter), 1);
          waiter.reached();
        }
      }
    };

    await start();
    const senders = devices.map(sender);
    // Each kill lands in the stream once the server has taken a few more batches (more each time), and the last
    // restart is followed by batches it stored too.
    for (let kills = 0; kills < 3; kills++) {
      await acknowledgedBatches(acknowledged + 6 + kills * 3);
      await kill();
      await start();
    }
    await acknowledgedBatches(acknowledged + 6);
    sending = false;
    await Promise.all(senders);
    await kill();

    expect(failures).toBeGreaterThan(0);
    expect(attempts).toBeGreaterThan(failures);
    const store = await backend.open();
    try {
      expect(await store.countTouchpoints()).toBe(sent.length);
      expect(await store.countTouchpointsWithIds(sent)).toBe(sent.length);
      for (const device of devices) {
        const subject = `a:${device}` as const;
        expect((await store.profile(subject)).touchpointCount).toBe(await store.countTouchpoints(subject));
      }
    } finally {
      await store.close();
    }
  });
});
