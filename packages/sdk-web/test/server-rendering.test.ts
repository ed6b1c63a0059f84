// @vitest-environment node
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';

describe('on a server (no window, no document)', () => {
  it('both entries import without touching browser globals', async () => {
    expect(typeof window).toBe('undefined');
    expect(typeof document).toBe('undefined');
    const core = await import('../src/index.js');
    const elements = await import('../src/elements/index.js');
    expect(Object.keys(core).sort()).toEqual([
      'createClient',
      'createPlacementController',
      'isFallback',
      'observeViewable',
    ]);
    expect(Object.keys(elements).sort()).toEqual(['Banner', 'definePlacementElement']);
  });

  it('a client can be created and used during server rendering; nothing throws', async () => {
    const { createClient, createPlacementController, observeViewable } = await import('../src/index.js');
    const { definePlacementElement } = await import('../src/elements/index.js');
    const client = createClient({
      endpoint: 'http://127.0.0.1:9',
      siteKey: 'pk_test',
      channel: 'netbank',
      consent: 'pending',
      decisionTimeoutMs: 200,
    });
    expect(client.track('page_view')).toEqual(expect.any(String));
    const [decision] = await client.decide(['dashboard-hero']);
    expect(decision?.offer).toBeNull();
    const controller = createPlacementController(client, { name: 'dashboard-hero' });
    expect(controller.getState().status).toBe('loading');
    expect(observeViewable({} as Element, () => {})).toEqual(expect.any(Function));
    expect(() => definePlacementElement(client)).not.toThrow();
    client.destroy();
  });
});
