import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { demoCatalog, NETBANK_KEY, signedRawByPartner, staffToken } from '../support/harness.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const MB = 1024 * 1024;
/** What a hostile client offers to send; the server must stop it long before. */
const UPLOAD_BYTES = 300 * MB;
/** How much the server process may grow while refusing it. */
const MAX_GROWTH_BYTES = 20 * MB;

/** The server's resident memory now, and its peak since the peak was last reset (Linux /proc). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}
/** Sets the process's peak resident memory back to what it uses now (writing 5 to clear_refs). */
const resetPeak = (pid: number) => writeFileSync(`/proc/${pid}/clear_refs`, '5');

interface Answer {
  readonly status: number;
  readonly type: string;
  readonly body: string;
  /** Bytes the client had written when the answer came. */
  readonly sent: number;
}

/**
 * A chunked upload of up to `total` bytes (no Content-Length) over a raw connection, produced as it goes and stopped as
 * soon as the server's answer arrives: the client a hostile one would write, bounded in bytes. Read from the socket
 * itself, so an answer is seen whether or not the server closes the connection under the rest of the upload.
 */
function upload(url: string, method: string, headers: Record<string, string>, total = UPLOAD_BYTES): Promise<Answer> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const payload = Buffer.alloc(64 * 1024, 0x20); // JSON whitespace, as a padded body would be
    const frame = Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n')]);
    const head = [
      `${method} ${pathname} HTTP/1.1`,
      `host: ${hostname}:${port}`,
      'transfer-encoding: chunked',
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      '',
      '',
    ].join('\r\n');
    let sent = 0;
    let sentWhenAnswered: number | null = null;
    let received = Buffer.alloc(0);
    const socket = connect({ host: hostname, port: Number(port) });
    const answer = (): Answer | null => {
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return null;
      const lines = received.subarray(0, end).toString('latin1').split('\r\n');
      const header = (name: string) =>
        lines
          .find((line) => line.toLowerCase().startsWith(`${name}:`))
          ?.slice(name.length + 1)
          .trim() ?? '';
      const length = Number(header('content-length'));
      const body = received.subarray(end + 4);
      if (!(body.length >= length)) return null;
      return {
        status: Number(lines[0]?.split(' ')[1]),
        type: header('content-type'),
        body: body.subarray(0, length).toString('utf8'),
        sent: sentWhenAnswered ?? sent,
      };
    };
    socket.on('data', (data: Buffer) => {
      sentWhenAnswered ??= sent;
      received = Buffer.concat([received, data]);
      const complete = answer();
      if (complete) {
        socket.destroy();
        resolve(complete);
      }
    });
    // The server may close the connection under the rest of the upload: that is the point, once it has answered.
    socket.on('error', () => {});
    socket.on('close', () => {
      const complete = answer();
      if (complete) resolve(complete);
      else reject(new Error(`the connection closed after ${sent} bytes without an answer`));
    });
    const write = () => {
      while (sentWhenAnswered === null && sent < total && !socket.destroyed) {
        sent += payload.length;
        if (!socket.write(frame)) {
          socket.once('drain', write);
          return;
        }
      }
      if (sentWhenAnswered === null && !socket.destroyed) socket.write('0\r\n\r\n');
    };
    socket.once('connect', () => {
      socket.write(head);
      write();
    });
  });
}

describe('bodies limited while they stream, on a real Node server', () => {
  let dataDir: string;
  let child: ChildProcess;
  let base: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'touchpoint-stream-'));
    const store = await openStore({ dataDir });
    await store.saveCatalog(demoCatalog);
    await store.close();
    child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--port', '0', '--data-dir', dataDir], {
      env: { ...process.env, TOUCHPOINT_RATE_LIMITS: '{"perAddress":null,"perSiteKey":null,"perCustomer":null}' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // Ready when it says where it listens.
    base = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (data: Buffer) => {
        out += data.toString();
        const url = /decision API on (http:\/\/[^\s]+)/.exec(out)?.[1];
        if (url) resolve(url);
      });
      child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
    });
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  const cases: Array<{
    name: string;
    method: string;
    path: string;
    headers: () => Promise<Record<string, string>>;
    status: number;
  }> = [
    {
      name: 'a customer route with the site key: 413 at the limit',
      method: 'POST',
      path: '/v1/touchpoints',
      headers: async () => ({ 'content-type': 'application/json', 'x-touchpoint-key': NETBANK_KEY }),
      status: 413,
    },
    {
      name: 'a customer route without the site key: refused before the body is read',
      method: 'POST',
      path: '/v1/touchpoints',
      headers: async () => ({ 'content-type': 'application/json' }),
      status: 401,
    },
    {
      name: 'the partner route, whose signature covers the raw body: 413 before the signature is checked',
      method: 'POST',
      path: '/v1/partner/touchpoints',
      headers: async () => ({ ...signedRawByPartner('{}', new Date()).headers, 'content-type': 'application/json' }),
      status: 413,
    },
    {
      name: 'a staff route with an admin token: 413 at the limit',
      method: 'PUT',
      path: '/v1/admin/scores',
      headers: async () => ({
        'content-type': 'application/json',
        authorization: `Bearer ${await staffToken(['admin'], { at: new Date() })}`,
      }),
      status: 413,
    },
    {
      name: 'a staff route without a token: refused before the body is read',
      method: 'PUT',
      path: '/v1/admin/scores',
      headers: async () => ({ 'content-type': 'application/json' }),
      status: 401,
    },
    {
      name: 'signing in, which reads the body before anyone is known: 413 at the limit',
      method: 'POST',
      path: '/v1/admin/session',
      headers: async () => ({ 'content-type': 'application/json' }),
      status: 413,
    },
  ];

  it.each(cases)('$name', { timeout: 60_000 }, async ({ method, path, headers, status }) => {
    const pid = child.pid as number;
    // Once with a small body first, so what the route's first call loads is not counted as the upload's.
    await upload(`${base}${path}`, method, await headers(), MB);
    const before = memoryOf(pid);
    resetPeak(pid);
    const answer = await upload(`${base}${path}`, method, await headers());
    const after = memoryOf(pid);
    const growth = after.peak - before.rss;
    console.log(
      `[streamed body] ${method} ${path}: ${answer.status} after ${(answer.sent / MB).toFixed(1)} MB sent; server RSS ${(before.rss / MB).toFixed(0)} MB, peak during the upload ${(after.peak / MB).toFixed(0)} MB (+${(growth / MB).toFixed(1)} MB)`,
    );
    expect(answer.status).toBe(status);
    expect(answer.type).toContain('application/problem+json');
    expect(JSON.parse(answer.body)).toMatchObject({ type: expect.any(String), title: expect.any(String), status });
    expect(answer.sent).toBeLessThan(UPLOAD_BYTES);
    expect(growth).toBeLessThan(MAX_GROWTH_BYTES);
  });

  it('unknown paths answer 404 and known paths with the wrong method 405 with Allow, as problem+json', async () => {
    const unknown = await fetch(`${base}/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    expect(await unknown.json()).toMatchObject({ status: 404, title: 'Not found' });

    const wrongMethod = await fetch(`${base}/livez`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD');
    expect(await wrongMethod.json()).toMatchObject({ status: 405, title: 'Method not allowed' });

    const consoleFile = await fetch(`${base}/console/no-such-file.js`);
    expect(consoleFile.status).toBe(404);
    expect(consoleFile.headers.get('content-type')).toContain('application/problem+json');
  });
});
