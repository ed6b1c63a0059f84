import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import type { ClientOptions } from '../src/types.js';
import { ENDPOINT, SITE_KEY, testDevice } from './support/api.js';

const device = testDevice();
const { errors } = device;

describe('the host page is never hurt', () => {
  it('no public call throws or rejects, whatever it is given', async () => {
    const client = device.client({ decisionTimeoutMs: 50 });
    await fc.assert(
      fc.asyncProperty(fc.anything(), fc.anything(), async (first, second) => {
        const call = client as unknown as Record<string, (...args: unknown[]) => unknown>;
        expect(() => call.track?.(first, second)).not.toThrow();
        expect(() => call.setConsent?.(first)).not.toThrow();
        expect(() => call.identify?.(first)).not.toThrow();
        await expect(call.decide?.(first, second)).resolves.toEqual(expect.any(Array));
        await expect(call.flush?.()).resolves.toBeUndefined();
      }),
      { numRuns: 60 },
    );
  });

  it('values that cannot be sent are refused at track, not carried into every later batch', async () => {
    const client = device.client();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(client.track('page_view', { properties: { big: 10n } as never })).toBeNull();
    expect(client.track('page_view', { properties: circular as never })).toBeNull();
    const ok = client.track('page_view');
    await client.flush();
    expect(device.api.sentIds()).toEqual([ok]);
    expect(errors.filter((error) => error.kind === 'internal')).toHaveLength(2);
  });

  it('a touchpoint cannot be changed after it was tracked', async () => {
    const client = device.client();
    const properties = { amount: 1000 };
    client.track('calculator_used', { properties });
    properties.amount = 2;
    await client.flush();
    expect(device.api.batches[0]?.body.touchpoints[0]?.properties).toEqual({ amount: 1000 });
  });

  it('a wrong call is reported to onError with what was wrong', () => {
    const client = device.client();
    expect(client.track('Page View' as never)).toBeNull();
    client.setConsent('yes' as never);
    client.identify('admin' as never);
    expect(errors.map((error) => [error.kind, error.message])).toEqual([
      ['config', 'invalid type: "Page View"'],
      ['config', 'invalid consent: "yes"'],
      ['config', 'invalid identify: "admin"'],
    ]);
  });

  it('an onError that throws changes nothing', async () => {
    const client = device.client({
      onError: () => {
        throw new Error('the host’s own bug');
      },
    });
    expect(client.track('???' as never)).toBeNull();
    expect(client.track('page_view')).toEqual(expect.any(String));
  });

  it('the debug log names the SDK', () => {
    const warnings: unknown[][] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args);
    try {
      device.client({ debug: true }).track('???' as never);
    } finally {
      console.warn = original;
    }
    expect(warnings[0]?.[0]).toBe('[touchpoint]');
  });

  it('a destroyed client does nothing and still answers', async () => {
    const client = device.client();
    client.destroy();
    expect(client.track('page_view')).toBeNull();
    await expect(client.decide(['dashboard-hero'])).resolves.toEqual([expect.objectContaining({ offer: null })]);
    await client.flush();
    expect(device.api.batches).toHaveLength(0);
    expect(device.api.decisionRequests).toHaveLength(0);
  });
});

describe('a misconfigured client fails at once, saying what to change', () => {
  const valid: ClientOptions = { endpoint: ENDPOINT, siteKey: SITE_KEY, channel: 'netbank', consent: 'pending' };

  it.each([
    ['endpoint', { ...valid, endpoint: '' }],
    ['siteKey', { ...valid, siteKey: undefined }],
    ['channel', { ...valid, channel: 42 }],
  ])('without %s', (option, options) => {
    expect(() => createClient(options as unknown as ClientOptions)).toThrow(
      new RegExp(`^\\[touchpoint\\] "${option}" is required`),
    );
  });

  it('without options at all', () => {
    expect(() => createClient(undefined as unknown as ClientOptions)).toThrow(/"endpoint" is required/);
  });

  it('an unknown consent state is treated as pending and reported', async () => {
    const reported: string[] = [];
    const client = createClient({
      ...valid,
      consent: 'maybe' as never,
      onError: (error) => reported.push(error.message),
    });
    client.track('page_view');
    await client.flush();
    client.destroy();
    expect(reported).toEqual(['invalid consent: "maybe"']);
    expect(device.api.batches).toHaveLength(0);
  });
});
