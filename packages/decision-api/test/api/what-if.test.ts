import { describe, expect, it } from 'vitest';
import type { Offer, OfferVersion, WhatIfReport } from '../../src/contract/index.js';
import { EMPTY_PROFILE } from '../../src/domain/journeys/profile.js';
import { replayDraft } from '../../src/http/routes/what-if.js';
import type { StaffRole } from '../../src/http/staff-token.js';
import { customerSubject } from '../../src/store/store.js';
import { demoCatalog, engines, type Harness, NOW, staffToken, useHarness } from '../support/harness.js';

const OFFER = 'car-loan-price';
const seeded = demoCatalog.offers.find((offer) => offer.id === OFFER) as Offer;
/** Customers born 1950–2005 (aged 21–76 at NOW), every one pricing a car loan, so the offer is theirs to get. */
const BIRTH_YEARS = Array.from({ length: 240 }, (_, i) => 1950 + (i % 56));

async function carLoanShoppers(h: Harness) {
  await h.store.putProfiles(
    BIRTH_YEARS.map((birthYear, i) => ({
      subject: customerSubject(`whatif-${i.toString(36).padStart(3, 'a')}`),
      profile: {
        ...EMPTY_PROFILE,
        journeys: { car_loan: { stage: 'explore', lastAt: NOW.toISOString() } },
        attributes: { birthYear },
      },
    })),
  );
}

async function call(h: Harness, method: string, path: string, roles: StaffRole[], id: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${await staffToken(roles, { id })}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return h.touchpoint.app.request(`http://touchpoint.test${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

async function draftOf(h: Harness, offer: Offer): Promise<OfferVersion> {
  const response = await call(h, 'POST', `/v1/admin/offers/${offer.id}/drafts`, ['marketer'], 'm.marketer', {
    baseVersion: 1,
    offer,
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return response.json();
}

describe.each(engines)('what if a draft were published, on $name', (engine) => {
  const h = useHarness(engine);

  it('a draft that raises the car loan’s minimum age to 45 is flagged for the younger bands, with the age rule named', async () => {
    await carLoanShoppers(h);
    const draft = await draftOf(h, { ...seeded, rules: { ...seeded.rules, minAge: 45 } });
    const response = await call(
      h,
      'GET',
      `/v1/admin/offers/${OFFER}/versions/${draft.version}/what-if?sample=200`,
      ['approver'],
      'a.approver',
    );
    expect(response.status, await response.clone().text()).toBe(200);
    const report = (await response.json()) as WhatIfReport;
    expect(report.sample.customers).toBe(200);

    const live = report.fairness.live.find((row) => row.offerId === OFFER);
    const drafted = report.fairness.draft.find((row) => row.offerId === OFFER);
    expect(live?.flagged).toBe(false);
    expect(drafted?.flagged).toBe(true);
    const young = drafted?.groups.find((g) => g.group === '30–39');
    expect(young).toMatchObject({ flagged: true, offered: 0, cause: { rule: 'age' } });
    expect(drafted?.groups.find((g) => g.group === '50–59')?.flagged).toBe(false);
    // Credit offers come first in the table.
    expect(report.fairness.draft[0]?.credit).toBe(true);

    // The replay: the car loan's share of the hero falls, and the offer is among those that lose the most.
    const hero = report.replay.placements.find((p) => p.placement === 'dashboard-hero');
    const share = hero?.shares.find((s) => s.offerId === OFFER);
    expect(share && share.draft < share.live).toBe(true);
    expect(report.replay.movers.some((m) => m.offerId === OFFER && m.draft < m.live)).toBe(true);

    // No decision was logged with its probability yet: the estimate says it cannot be trusted, and shows no number.
    expect(report.estimate.clickThrough.snips).toBeNull();
    expect(report.estimate.clickThrough.untrusted.join(' ')).toMatch(/no logged decisions/);
    // Nothing was written by the replay.
    expect((await h.rowCounts()).decisions).toBe(0);
  });

  it('replays each customer as the staff preview decides them', async () => {
    await carLoanShoppers(h);
    const samples = await replayDraft(h.touchpoint.services, demoCatalog, { sample: 60, now: NOW });
    expect(samples.length).toBeGreaterThanOrEqual(60);
    for (const sample of samples.slice(0, 12)) {
      const channel = 'netbank';
      const placements = sample.live.filter((o) => o.trace.placement !== 'mobile-home-card').map((o) => o.placement);
      const response = await call(h, 'POST', '/v1/admin/preview', ['marketer'], 'm.marketer', {
        customerId: sample.customerId,
        context: { channel, page: '/dashboard', locale: 'da', consent: 'granted' },
        at: NOW.toISOString(),
        placements,
      });
      expect(response.status, await response.clone().text()).toBe(200);
      const { previews } = (await response.json()) as {
        previews: { placement: string; offer: { offerId: string } | null }[];
      };
      const replayedWinners = sample.live
        .filter((o) => placements.includes(o.placement))
        .map((o) => [o.placement, o.offer?.id ?? null]);
      expect(previews.map((p) => [p.placement, p.offer?.offerId ?? null])).toEqual(replayedWinners);
      // The draft is the live catalog here: the same decisions.
      expect(sample.draft.map((o) => o.offer?.id ?? null)).toEqual(sample.live.map((o) => o.offer?.id ?? null));
    }
  });

  it('refuses an unknown version with 404 and an advisor with 403', async () => {
    expect((await call(h, 'GET', `/v1/admin/offers/${OFFER}/versions/99/what-if`, ['approver'], 'a')).status).toBe(404);
    const refused = await call(h, 'GET', `/v1/admin/offers/${OFFER}/versions/1/what-if`, ['advisor'], 'adv');
    expect(refused.status).toBe(403);
    const bad = await call(h, 'GET', `/v1/admin/offers/${OFFER}/versions/1/what-if?sample=3`, ['approver'], 'a');
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
  });
});
