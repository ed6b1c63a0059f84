import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openPglite } from '../../src/store/drivers/pglite.js';
import type { SqlDatabase } from '../../src/store/sql.js';

/**
 * The embedded store's driver, on a thread of its own (what the server runs) and on the caller's thread: the same
 * answers, errors, transactions and notifications either way.
 */
describe.each(['worker', 'inline'] as const)('PGlite driver (%s)', (thread) => {
  let db: SqlDatabase;
  beforeAll(async () => {
    db = await openPglite(undefined, { thread });
    await db.exec(`
      CREATE TABLE things (id int PRIMARY KEY, name text, at timestamptz, doc jsonb, bytes bytea, big bigint, exact numeric);
      CREATE TABLE deferred (id int, CONSTRAINT deferred_id UNIQUE (id) DEFERRABLE INITIALLY DEFERRED);
    `);
  });
  afterAll(() => db.close());

  it('gives back rows with their types', async () => {
    const at = new Date('2026-11-30T12:34:56.789Z');
    await db.query('INSERT INTO things VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      1,
      'Søren’s',
      at,
      JSON.stringify({ nested: [1, 'two', null] }),
      new Uint8Array([0, 1, 255]),
      '9007199254740993',
      '12.50',
    ]);
    const [row] = await db.query<Record<string, unknown>>('SELECT * FROM things WHERE id = $1', [1]);
    expect(row).toEqual({
      id: 1,
      name: 'Søren’s',
      at,
      doc: { nested: [1, 'two', null] },
      bytes: new Uint8Array([0, 1, 255]),
      big: 9007199254740993n,
      exact: '12.50',
    });
    expect(await db.query('SELECT * FROM things WHERE id = $1', [2])).toEqual([]);
  });

  it('rejects with the database error’s code, constraint and message', async () => {
    const error = await db.query('INSERT INTO things (id) VALUES (1)').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: '23505', constraint: 'things_pkey' });
    expect((error as Error).message).toMatch(/duplicate key/);
    // The connection is usable after the error.
    expect(await db.query<{ n: number }>('SELECT count(*)::int AS n FROM things')).toEqual([{ n: 1 }]);
  });

  it('commits a transaction’s writes together and returns its result', async () => {
    const result = await db.transaction(async (tx) => {
      await tx.query('INSERT INTO things (id, name) VALUES (10, $1)', ['a']);
      await tx.query('INSERT INTO things (id, name) VALUES (11, $1)', ['b']);
      return (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM things WHERE id >= 10'))[0]?.n;
    });
    expect(result).toBe(2);
    expect(await db.query('SELECT name FROM things WHERE id >= 10 ORDER BY id')).toEqual([
      { name: 'a' },
      { name: 'b' },
    ]);
  });

  it('keeps nothing of a transaction that throws, and rethrows its error', async () => {
    const thrown = new Error('changed my mind');
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO things (id, name) VALUES (20, $1)', ['kept?']);
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO things (id, name) VALUES (21, $1)', ['kept?']);
        await tx.query('INSERT INTO things (id) VALUES (1)');
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await db.query('SELECT id FROM things WHERE id IN (20, 21)')).toEqual([]);
  });

  it('reports a commit that fails', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO deferred VALUES (1), (1)');
      }),
    ).rejects.toMatchObject({ code: '23505', constraint: 'deferred_id' });
    expect(await db.query('SELECT * FROM deferred')).toEqual([]);
  });

  it('holds other statements back until a transaction ends', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const transaction = db.transaction(async (tx) => {
      await tx.query('INSERT INTO things (id, name) VALUES (30, $1)', ['draft']);
      entered();
      await held;
      await tx.query('UPDATE things SET name = $1 WHERE id = 30', ['final']);
    });
    await inside;
    const outside = db.query<{ name: string }>('SELECT name FROM things WHERE id = 30');
    const answered: string[] = [];
    void outside.then(() => answered.push('outside'));
    void transaction.then(() => answered.push('transaction'));
    release();
    // Sent at once, the statement would have been answered before the transaction's UPDATE, and seen the draft.
    expect(await outside).toEqual([{ name: 'final' }]);
    await transaction;
    expect(answered).toEqual(['transaction', 'outside']);
  });

  it('runs transactions one after another when they are started together', async () => {
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        db.transaction(async (tx) => {
          const [row] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM things WHERE id >= 100');
          await tx.query('INSERT INTO things (id, name) VALUES ($1, $2)', [100 + (row?.n ?? 0), `t${i}`]);
        }),
      ),
    );
    expect(await db.query<{ id: number }>('SELECT id FROM things WHERE id >= 100 ORDER BY id')).toEqual(
      Array.from({ length: 8 }, (_, i) => ({ id: 100 + i })),
    );
  });

  it('delivers each notification to each listener once, until it stops listening', async () => {
    const first: string[] = [];
    const second: string[] = [];
    const stopFirst = await db.listen?.('changes', { onNotify: (payload) => first.push(payload) });
    const stopSecond = await db.listen?.('changes', { onNotify: (payload) => second.push(payload) });
    await db.query("SELECT pg_notify('changes', 'one')");
    await db.transaction(async (tx) => {
      await tx.query("SELECT pg_notify('changes', 'two')");
    });
    await db
      .transaction(async (tx) => {
        await tx.query("SELECT pg_notify('changes', 'rolled back')");
        await tx.query('SELECT 1/0');
      })
      .catch(() => {});
    await db.query("SELECT pg_notify('other', 'elsewhere')");
    await expect.poll(() => second).toEqual(['one', 'two']);
    expect(first).toEqual(['one', 'two']);
    await stopFirst?.();
    await db.query("SELECT pg_notify('changes', 'three')");
    await expect.poll(() => second).toEqual(['one', 'two', 'three']);
    expect(first).toEqual(['one', 'two']);
    await stopSecond?.();
  });

  it('refuses a channel name that is not a plain identifier', async () => {
    await expect(db.listen?.('changes; DROP TABLE things', { onNotify: () => {} })).rejects.toThrow(
      /invalid channel name/,
    );
  });
});

describe('PGlite driver on its own thread', () => {
  it('refuses statements once closed', async () => {
    const db = await openPglite(undefined, { thread: 'worker' });
    await db.close();
    await expect(db.query('SELECT 1')).rejects.toThrow(/closed/);
    await db.close();
  });

  it('refuses a parameter that cannot be sent to the thread as a programming error, and goes on', async () => {
    const db = await openPglite(undefined, { thread: 'worker' });
    try {
      await expect(db.query('SELECT $1::text AS v', [() => 1])).rejects.toBeInstanceOf(TypeError);
      await expect(db.transaction((tx) => tx.query('SELECT $1::text AS v', [Symbol('s')]))).rejects.toBeInstanceOf(
        TypeError,
      );
      expect(await db.query('SELECT $1::text AS v', ['fine'])).toEqual([{ v: 'fine' }]);
    } finally {
      await db.close();
    }
  });

  it('when the thread dies: waiting statements fail, a transaction keeps its own error, listeners hear the feed is lost', async () => {
    const sent = vi.spyOn(Worker.prototype, 'postMessage');
    const db = await openPglite(undefined, { thread: 'worker' });
    const thread = sent.mock.contexts[0] as Worker;
    sent.mockRestore();
    const lost = vi.fn();
    await db.listen?.('changes', { onNotify: () => {}, onLost: lost });
    const mine = new Error('the caller’s own');
    let inside!: () => void;
    const entered = new Promise<void>((resolve) => {
      inside = resolve;
    });
    let died!: () => void;
    const dead = new Promise<void>((resolve) => {
      died = resolve;
    });
    const transaction = db.transaction(async (tx) => {
      await tx.query('SELECT 1');
      inside();
      await dead;
      throw mine;
    });
    await entered;
    const waiting = db.query('SELECT 2');
    await thread.terminate();
    died();
    await expect(waiting).rejects.toThrow(/closed/);
    await expect(transaction).rejects.toBe(mine);
    expect(lost).toHaveBeenCalledTimes(1);
    await expect(db.query('SELECT 3')).rejects.toThrow(/closed/);
    await expect(db.transaction(async () => 'never run')).rejects.toThrow(/closed/);
    await db.close();
  });

  // Each child starts Node, tsx and PGlite's WebAssembly: on a loaded machine that alone can take tens of seconds.
  const CHILD_START_MS = 120_000;

  it(
    'does not keep an idle process alive, and does keep one that waits on it',
    async () => {
      const script = (body: string) => `
      import { openPglite } from ${JSON.stringify(fileURLToPath(new URL('../../src/store/drivers/pglite.ts', import.meta.url)))};
      const db = await openPglite();
      ${body}
    `;
      // The child's exit is the signal; one kept alive by mistake is killed at the bound and fails with no status.
      const run = (body: string) =>
        new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(body)], {
            timeout: CHILD_START_MS,
          });
          let stdout = '';
          let stderr = '';
          child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
            stdout += chunk;
          });
          child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
            stderr += chunk;
          });
          child.on('error', reject);
          child.on('close', (status) => resolve({ status, stdout, stderr }));
        });
      const [idle, waiting, refused] = await Promise.all([
        // Never closed, nothing pending: the process ends by itself.
        run("console.log('opened');"),
        // Only the answer is pending: the process waits for it.
        run("db.query('SELECT 41 + 1 AS n').then((rows) => console.log(rows[0].n));"),
        // A statement refused before it was sent leaves nothing waiting.
        run("await db.query('SELECT $1::text', [() => 1]).catch((error) => console.log(error.name));"),
      ]);
      expect(idle, idle.stderr).toMatchObject({ status: 0 });
      expect(idle.stdout.trim()).toBe('opened');
      expect(waiting, waiting.stderr).toMatchObject({ status: 0 });
      expect(waiting.stdout.trim()).toBe('42');
      expect(refused, refused.stderr).toMatchObject({ status: 0 });
      expect(refused.stdout.trim()).toBe('TypeError');
    },
    CHILD_START_MS + 30_000,
  );
});

describe('the embedded store’s folder', () => {
  it('is made with its parents, as in a fresh clone without .data/ yet, and keeps what was written', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const root = mkdtempSync(join(tmpdir(), 'touchpoint-fresh-'));
    const dataDir = join(root, '.data', 'touchpoint');
    try {
      const first = await openPglite(dataDir, { thread: 'inline' });
      await first.exec('CREATE TABLE kept (id int)');
      await first.query('INSERT INTO kept VALUES (1)');
      await first.close();
      const again = await openPglite(dataDir, { thread: 'inline' });
      expect(await again.query('SELECT id FROM kept')).toEqual([{ id: 1 }]);
      await again.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
