import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { demoCatalog, NOW } from '../support/harness.js';

describe('the embedded store', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'touchpoint-pglite-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps touchpoints, profiles and the catalog across a restart', async () => {
    const first = await openStore({ dataDir });
    await first.saveCatalog(demoCatalog);
    const touchpoint = {
      id: crypto.randomUUID(),
      type: 'page_view' as const,
      occurredAt: NOW.toISOString(),
      channel: 'netbank' as const,
      page: '/pension',
    };
    const result = await first.ingest('c:c-persist', crypto.randomUUID(), [touchpoint], (profile) => ({
      ...profile,
      touchpointCount: profile.touchpointCount + 1,
    }));
    expect(result.accepted).toEqual([touchpoint.id]);
    await first.close();

    const second = await openStore({ dataDir });
    expect(await second.countTouchpoints('c:c-persist')).toBe(1);
    expect((await second.profile('c:c-persist')).touchpointCount).toBe(1);
    expect((await second.latestCatalog())?.version).toBe(demoCatalog.version);
    const again = await second.ingest('c:c-persist', crypto.randomUUID(), [touchpoint], (profile) => profile);
    expect(again.duplicates).toEqual([touchpoint.id]);
    await second.close();
  }, 120_000);
});
