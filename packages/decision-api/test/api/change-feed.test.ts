import { describe, expect, it, vi } from 'vitest';
import { seedDemoBank } from '../../src/demo/seed.js';
import { trainAndActivateClusters } from '../../src/jobs/cluster-training.js';
import { parseChange } from '../../src/store/changes.js';
import { demoCatalog, engines, NOW, useHarness } from '../support/harness.js';

/**
 * One process's side of the change feed: whatever writes a catalog version or a cluster model through the store, the
 * app reloads it (on PostgreSQL over its listening connection, on PGlite in process). The two-process case is
 * test/multi-process.test.ts.
 */
describe.each(engines)('the app follows store changes on $name', (engine) => {
  const h = useHarness(engine);

  it('serves a catalog version saved through the store, not through the app', async () => {
    expect(h.touchpoint.catalog.current().version).toBe(demoCatalog.version);
    await h.store.saveCatalog({
      ...demoCatalog,
      version: '2026-11-feed-2',
      placements: demoCatalog.placements.map((placement) =>
        placement.id === 'dashboard-hero' ? { ...placement, name: 'Renamed hero' } : placement,
      ),
    });
    await vi.waitFor(() => expect(h.touchpoint.catalog.current().version).toBe('2026-11-feed-2'), {
      timeout: 20_000,
      interval: 50,
    });
    const response = await h.get('/v1/placements');
    const { placements } = (await response.json()) as { placements: Array<{ id: string; name: string }> };
    expect(placements.find((placement) => placement.id === 'dashboard-hero')?.name).toBe('Renamed hero');
  });

  it('uses a cluster model activated by a job outside the app', async () => {
    await seedDemoBank(h.store, { catalog: demoCatalog, now: NOW, customers: 200 });
    expect(h.touchpoint.services.clusters.current()).toBeNull();
    const { stored } = await trainAndActivateClusters(h.store, {
      now: NOW,
      trainedBy: 'cli',
      k: 2,
      minClusterSize: 10,
    });
    await vi.waitFor(() => expect(h.touchpoint.services.clusters.current()?.model.version).toBe(stored.model.version), {
      timeout: 20_000,
      interval: 50,
    });
  });

  it('knows of an experiment another process started and stopped', async () => {
    const id = crypto.randomUUID();
    // The row as another process's start writes it; this process only holds what the store reads back.
    await h.db.query(
      `INSERT INTO experiments (id, status, layer, body, created_at, updated_at) VALUES ($1, 'running', 'feed', $2, $3, $3)`,
      [id, JSON.stringify({ id, status: 'running', layer: 'feed' }), NOW.toISOString()],
    );
    await vi.waitFor(
      () => expect(h.touchpoint.services.experiments.running().map((experiment) => experiment.id)).toEqual([id]),
      { timeout: 20_000, interval: 50 },
    );
    await h.db.query(`UPDATE experiments SET status = 'stopped' WHERE id = $1`, [id]);
    await vi.waitFor(() => expect(h.touchpoint.services.experiments.running()).toEqual([]), {
      timeout: 20_000,
      interval: 50,
    });
  });
});

describe('change notifications', () => {
  it('are taken from this schema only, of a kind this version knows', () => {
    const payload = (fields: Record<string, unknown>) => JSON.stringify({ schema: 'bank_a', ...fields });
    expect(parseChange(payload({ kind: 'catalog', version: '2026-11-1' }), 'bank_a')).toEqual({
      kind: 'catalog',
      version: '2026-11-1',
    });
    expect(parseChange(payload({ kind: 'clusters', version: 7 }), 'bank_a')).toEqual({
      kind: 'clusters',
      version: '7',
    });
    expect(parseChange(payload({ kind: 'catalog' }), 'bank_b')).toBeNull();
    expect(parseChange(payload({ kind: 'leads' }), 'bank_a')).toBeNull();
    expect(parseChange('not json', 'bank_a')).toBeNull();
  });
});
