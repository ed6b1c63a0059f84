import { delay, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { createPlacementController } from '../src/index.js';
import { decision, offer, testDevice } from './support/api.js';

const device = testDevice();
const { api } = device;

describe('the placement controller renderers share', () => {
  it('starts loading when the first renderer subscribes, and is ready with the offer', async () => {
    const controller = createPlacementController(device.client(), { name: 'dashboard-hero', page: '/overview' });
    expect(controller.getState()).toEqual({ status: 'loading', decision: null, offer: null });
    expect(api.decisionRequests).toHaveLength(0);

    const changes = vi.fn();
    controller.subscribe(changes);
    await vi.waitFor(() => expect(controller.getState().status).toBe('ready'));
    expect(changes).toHaveBeenCalledTimes(1);
    expect(controller.getState().offer?.offerId).toBe('car-loan-calculator');
    expect(api.decisionRequests[0]?.body.context.page).toBe('/overview');
  });

  it('with a fresh cached decision, is ready from the start (in the first paint), and does not ask the API again', async () => {
    const client = device.client();
    const [cached] = await client.decide(['dashboard-hero'], { page: '/overview' });
    const controller = createPlacementController(client, { name: 'dashboard-hero', page: '/overview' });
    expect(controller.getState()).toEqual({ status: 'ready', decision: cached, offer: cached?.offer });
    controller.subscribe(() => {});
    await client.decide(['dashboard-hero'], { page: '/overview' });
    expect(api.decisionRequests).toHaveLength(1);
    // Another page has no cached decision: it loads.
    expect(createPlacementController(client, { name: 'dashboard-hero', page: '/loans' }).getState().status).toBe(
      'loading',
    );
  });

  it('keeps the same state object until something changes (as useSyncExternalStore needs)', async () => {
    const controller = createPlacementController(device.client(), { name: 'dashboard-hero' });
    controller.subscribe(() => {});
    await vi.waitFor(() => expect(controller.getState().status).toBe('ready'));
    expect(controller.getState()).toBe(controller.getState());
  });

  it('is empty when the decision is to show nothing, and in error when no decision could be had', async () => {
    api.nextDecisions(
      () => HttpResponse.json({ decisions: [decision('dashboard-hero', { offer: null })] }),
      () => new HttpResponse(null, { status: 500 }),
    );
    const empty = createPlacementController(device.client(), { name: 'dashboard-hero' });
    empty.subscribe(() => {});
    await vi.waitFor(() => expect(empty.getState().status).toBe('empty'));
    const failed = createPlacementController(device.client(), { name: 'dashboard-hero', locale: 'da' });
    failed.subscribe(() => {});
    await vi.waitFor(() => expect(failed.getState().status).toBe('error'));
    expect(failed.getState().offer).toBeNull();
  });

  it('after a login it asks again, keeping the current offer on screen until the new answer arrives', async () => {
    const client = device.client();
    const controller = createPlacementController(client, { name: 'dashboard-hero' });
    controller.subscribe(() => {});
    await vi.waitFor(() => expect(controller.getState().status).toBe('ready'));
    const shown = controller.getState();
    api.nextDecisions(async () => {
      await delay(50);
      return HttpResponse.json({
        decisions: [decision('dashboard-hero', { offer: offer({ offerId: 'savings-goal' }) })],
      });
    });
    client.identify('logged-in');
    expect(controller.getState()).toBe(shown);
    await vi.waitFor(() => expect(controller.getState().offer?.offerId).toBe('savings-goal'));
    expect(api.decisionRequests).toHaveLength(2);
  });

  it('when the customer grants consent, it asks again so the offer can be personal', async () => {
    const client = device.client({ consent: 'pending' });
    const controller = createPlacementController(client, { name: 'dashboard-hero' });
    controller.subscribe(() => {});
    await vi.waitFor(() => expect(controller.getState().status).toBe('ready'));
    expect(api.decisionRequests[0]?.body.context.consent).toBe('pending');
    client.setConsent('granted');
    await vi.waitFor(() => expect(api.decisionRequests).toHaveLength(2));
    expect(api.decisionRequests[1]?.body.context.consent).toBe('granted');
  });

  it('only the latest answer is shown when answers cross', async () => {
    const client = device.client();
    api.nextDecisions(
      async () => {
        await delay(80);
        return HttpResponse.json({
          decisions: [decision('dashboard-hero', { offer: offer({ offerId: 'old' }), ttlSeconds: 0 })],
        });
      },
      () =>
        HttpResponse.json({
          decisions: [decision('dashboard-hero', { offer: offer({ offerId: 'new' }), ttlSeconds: 0 })],
        }),
    );
    const controller = createPlacementController(client, { name: 'dashboard-hero' });
    controller.subscribe(() => {});
    await controller.load();
    await delay(120);
    expect(controller.getState().offer?.offerId).toBe('new');
  });

  it('click and dismiss without an offer on screen report nothing', async () => {
    api.nextDecisions(() => HttpResponse.json({ decisions: [decision('dashboard-hero', { offer: null })] }));
    const client = device.client();
    const controller = createPlacementController(client, { name: 'dashboard-hero' });
    controller.subscribe(() => {});
    await vi.waitFor(() => expect(controller.getState().status).toBe('empty'));
    controller.click();
    controller.dismiss();
    await client.flush();
    expect(api.batches).toHaveLength(0);
    expect(api.decisionRequests).toHaveLength(1);
  });

  it('a renderer whose listener throws does not stop the others', async () => {
    const controller = createPlacementController(device.client(), { name: 'dashboard-hero' });
    const other = vi.fn();
    controller.subscribe(() => {
      throw new Error('renderer bug');
    });
    controller.subscribe(other);
    await vi.waitFor(() => expect(other).toHaveBeenCalled());
  });

  it('after destroy, a late answer changes nothing', async () => {
    api.nextDecisions(async (request) => {
      await delay(50);
      return HttpResponse.json({ decisions: request.placements.map((name) => decision(name)) });
    });
    const controller = createPlacementController(device.client(), { name: 'dashboard-hero' });
    const changes = vi.fn();
    controller.subscribe(changes);
    controller.destroy();
    await delay(100);
    expect(changes).not.toHaveBeenCalled();
    expect(controller.getState().status).toBe('loading');
  });
});
