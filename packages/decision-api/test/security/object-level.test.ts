import { describe, expect, it } from 'vitest';
import { customerToken, decisionRequest, engines, touchpointOf, useHarness } from '../support/harness.js';

interface Decision {
  decisionId: string;
  offer: { offerId: string; product: string | null } | null;
}

describe.each(engines)('one customer never reads or changes another’s profile or decisions, on $name', (engine) => {
  const h = useHarness(engine);

  const decide = async (device: string, token: string): Promise<Decision> => {
    const response = await h.post('/v1/decisions', decisionRequest(['dashboard-hero'], '/dashboard', device), {
      token,
    });
    expect(response.status).toBe(200);
    const { decisions } = (await response.json()) as { decisions: Decision[] };
    return decisions[0] as Decision;
  };
  const track = async (device: string, token: string, touchpoints: unknown[]) => {
    const response = await h.post('/v1/touchpoints', { anonymousId: device, touchpoints }, { token });
    expect(response.status).toBe(200);
  };

  it('Bob, with his own token, on his device or on Alice’s, never sees, changes or dismisses what is Alice’s', async () => {
    const alice = await customerToken('c-alice');
    const bob = await customerToken('c-bob');
    const aliceDevice = crypto.randomUUID();
    const bobDevice = crypto.randomUUID();

    await track(aliceDevice, alice, [
      touchpointOf('product_view', { product: 'car_loan', page: '/loans/car' }),
      touchpointOf('calculator_used', { product: 'car_loan', page: '/loans/car' }),
    ]);
    const aliceSees = await decide(aliceDevice, alice);
    expect(aliceSees.offer?.product).toBe('car_loan');
    await h.touchpoint.flush();
    const aliceProfile = await h.store.profile('c:c-alice');
    const aliceTouchpoints = await h.store.countTouchpoints('c:c-alice');

    // Bob's decisions, on his device and on Alice's device id, are made from his own (empty) profile.
    for (const device of [bobDevice, aliceDevice]) {
      const bobSees = await decide(device, bob);
      expect(bobSees.offer?.product).not.toBe('car_loan');
      await h.touchpoint.flush();
      expect((await h.store.decision(bobSees.decisionId))?.subject).toBe('c:c-bob');
    }
    expect((await h.store.decision(aliceSees.decisionId))?.subject).toBe('c:c-alice');

    // Bob's touchpoints, even on Alice's device and naming Alice's decision, land in his profile only.
    await track(aliceDevice, bob, [
      touchpointOf('offer_dismiss', {
        offer: aliceSees.offer?.offerId,
        placement: 'dashboard-hero',
        decisionId: aliceSees.decisionId,
      }),
      touchpointOf('product_view', { product: 'mortgage', page: '/mortgage' }),
    ]);
    expect(await h.store.countTouchpoints('c:c-bob')).toBe(2);
    expect(await h.store.countTouchpoints('c:c-alice')).toBe(aliceTouchpoints);
    expect(await h.store.profile('c:c-alice')).toEqual(aliceProfile);
    expect((await decide(aliceDevice, alice)).offer?.offerId).toBe(aliceSees.offer?.offerId);

    // A body can never name the customer: the subject comes from the verified token only.
    const before = await h.tableCounts();
    for (const [path, body] of [
      [
        '/v1/touchpoints',
        {
          anonymousId: bobDevice,
          customerId: 'c-alice',
          touchpoints: [touchpointOf('page_view', { page: '/pension' })],
        },
      ],
      ['/v1/decisions', { ...decisionRequest(['dashboard-hero'], '/dashboard', bobDevice), customerId: 'c-alice' }],
      ['/v1/decisions', { ...decisionRequest(['dashboard-hero'], '/dashboard', bobDevice), subject: 'c:c-alice' }],
    ] as const) {
      expect((await h.post(path, body, { token: bob })).status).toBe(422);
    }
    expect(await h.tableCounts()).toEqual(before);
    expect(await h.store.profile('c:c-alice')).toEqual(aliceProfile);
  });
});
