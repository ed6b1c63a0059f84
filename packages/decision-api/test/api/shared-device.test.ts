import { describe, expect, it } from 'vitest';
import { customerToken, decisionRequest, engines, touchpointOf, useHarness } from '../support/harness.js';

interface Export {
  devices: Array<{ anonymousId: string }>;
  touchpoints: Array<{ id: string; anonymousId: string | null }>;
}

describe.each(engines)('one device, several customers, on $name', (engine) => {
  const h = useHarness(engine);
  const track = (device: string, token?: string) => {
    const touchpoint = touchpointOf('product_view', { product: 'car_loan' });
    return h
      .post('/v1/touchpoints', { anonymousId: device, touchpoints: [touchpoint] }, token ? { token } : {})
      .then((response) => {
        expect(response.status).toBe(200);
        return touchpoint.id as string;
      });
  };
  const decide = async (device: string, token: string) =>
    expect(
      (await h.post('/v1/decisions', decisionRequest(['dashboard-hero'], '/dashboard', device), { token })).status,
    ).toBe(200);
  const exportOf = async (token: string) => (await (await h.get('/v1/me/data', { token })).json()) as Export;
  const links = () =>
    h.db.query<{ anonymous_id: string; customer_id: string }>(
      'SELECT anonymous_id, customer_id FROM identity_links ORDER BY customer_id, anonymous_id',
    );

  it('a device id kept past a logout moves nothing to the next customer: link records and exports agree', async () => {
    const b = await customerToken('c-shared-b');
    const a = await customerToken('c-shared-a');
    const device = crypto.randomUUID();
    const beforeB = await track(device);
    await decide(device, b);
    // B logged out, the device kept its id (an SDK that did not start a new one), someone browsed, then A logged in.
    const afterB = await track(device);
    await decide(device, a);
    const asA = await track(device, a);

    expect(await links()).toEqual([{ anonymous_id: device, customer_id: 'c-shared-b' }]);
    const ofA = await exportOf(a);
    expect(ofA.devices).toEqual([]);
    expect(ofA.touchpoints.map((t) => t.id)).toEqual([asA]);
    const ofB = await exportOf(b);
    expect(ofB.devices.map((d) => d.anonymousId)).toEqual([device]);
    expect(ofB.touchpoints.map((t) => t.id)).toContain(beforeB);
    // What came after B's session stays with the device, never with A.
    expect(ofA.touchpoints.map((t) => t.id)).not.toContain(afterB);
    // A's profile holds A's own touchpoint only.
    expect(await h.store.profile('c:c-shared-a')).toMatchObject({ touchpointCount: 1 });
  });

  it('a new anonymous id after the logout (as the SDK starts one) is linked to the next customer and in their export', async () => {
    const b = await customerToken('c-next-b');
    const a = await customerToken('c-next-a');
    const first = crypto.randomUUID();
    await track(first);
    await decide(first, b);
    const second = crypto.randomUUID();
    const browsed = await track(second);
    await decide(second, a);
    expect(await links()).toEqual([
      { anonymous_id: second, customer_id: 'c-next-a' },
      { anonymous_id: first, customer_id: 'c-next-b' },
    ]);
    const ofA = await exportOf(a);
    expect(ofA.devices.map((d) => d.anonymousId)).toEqual([second]);
    expect(ofA.touchpoints.map((t) => t.id)).toEqual([browsed]);
    expect((await exportOf(b)).devices.map((d) => d.anonymousId)).toEqual([first]);
  });

  it('a device first used logged in, with no anonymous history, is linked and listed in the export', async () => {
    const token = await customerToken('c-fresh');
    const device = crypto.randomUUID();
    await decide(device, token);
    const tracked = await track(device, token);
    expect(await links()).toEqual([{ anonymous_id: device, customer_id: 'c-fresh' }]);
    const data = await exportOf(token);
    expect(data.devices.map((d) => d.anonymousId)).toEqual([device]);
    expect(data.touchpoints).toEqual([expect.objectContaining({ id: tracked, anonymousId: device })]);
  });
});
