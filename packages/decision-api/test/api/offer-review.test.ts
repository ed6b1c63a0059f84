import { describe, expect, it } from 'vitest';
import type { Offer, OfferVersion, WhatIfReport } from '../../src/contract/index.js';
import { MAX_REVIEW_COMMENT } from '../../src/contract/index.js';
import { EMPTY_PROFILE } from '../../src/domain/journeys/profile.js';
import { APPROVAL_WHAT_IF } from '../../src/http/routes/offers.js';
import type { StaffRole } from '../../src/http/staff-token.js';
import { customerSubject } from '../../src/store/store.js';
import { demoCatalog, engines, type Harness, NOW, staffToken, useHarness } from '../support/harness.js';

const OFFER = 'car-loan-price';
const seeded = demoCatalog.offers.find((offer) => offer.id === OFFER) as Offer;

const MARKETER: [StaffRole[], string] = [['marketer'], 'm.marketer'];
const APPROVER: [StaffRole[], string] = [['approver'], 'a.approver'];

/** Customers aged 21–76 at NOW, every one pricing a car loan, so the offer's age rule matters to them. */
async function carLoanShoppers(h: Harness) {
  await h.store.putProfiles(
    Array.from({ length: 120 }, (_, i) => ({
      subject: customerSubject(`review-${i.toString(36).padStart(3, 'a')}`),
      profile: {
        ...EMPTY_PROFILE,
        journeys: { car_loan: { stage: 'explore' as const, lastAt: NOW.toISOString() } },
        attributes: { birthYear: 1950 + (i % 56) },
      },
    })),
  );
}

describe.each(engines)('an approver reviews a draft on $name', (engine) => {
  const h = useHarness(engine);

  const call = async (who: [StaffRole[], string], method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { authorization: `Bearer ${await staffToken(who[0], { id: who[1] })}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return h.touchpoint.app.request(`http://touchpoint.test${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
  };
  const path = (draft: OfferVersion, step: string) =>
    `/v1/admin/offers/${draft.offerId}/drafts/${draft.version}/${step}`;
  const submitted = async (offer: Offer, baseVersion: number | null = 1): Promise<OfferVersion> => {
    const drafted = await call(MARKETER, 'POST', `/v1/admin/offers/${offer.id}/drafts`, { baseVersion, offer });
    expect(drafted.status, await drafted.clone().text()).toBe(201);
    const draft: OfferVersion = await drafted.json();
    const submit = await call(MARKETER, 'POST', path(draft, 'submit'), { revision: draft.revision });
    expect(submit.status).toBe(200);
    return submit.json();
  };
  const detail = async () => (await call(MARKETER, 'GET', `/v1/admin/offers/${OFFER}`)).json();

  it('a rejected draft is closed with its comment, which the author reads on the offer; a new draft can follow', async () => {
    const draft = await submitted({ ...seeded, rules: { ...seeded.rules, minAge: 45 } });
    const rejected = await call(APPROVER, 'POST', path(draft, 'reject'), {
      revision: draft.revision,
      comment: '  Raising the age to 45 leaves the 21–44 bands with nothing; keep 18.  ',
    });
    expect(rejected.status, await rejected.clone().text()).toBe(200);
    expect(await rejected.json()).toMatchObject({
      status: 'rejected',
      reviews: [
        {
          action: 'reject',
          by: 'a.approver',
          revision: draft.revision,
          comment: 'Raising the age to 45 leaves the 21–44 bands with nothing; keep 18.',
        },
      ],
    });
    const offer = await detail();
    expect(offer.draft).toBeNull();
    const closed = offer.versions.find((v: OfferVersion) => v.version === draft.version);
    expect(closed.status).toBe('rejected');
    expect(closed.reviews[0].comment).toMatch(/keep 18/);
    // A rejected version is closed: no step takes it further.
    expect((await call(APPROVER, 'POST', path(draft, 'approve'), { revision: draft.revision })).status).toBe(409);
    // The author writes a new draft from the live version.
    const again = await submitted({ ...seeded, rules: { ...seeded.rules, minAge: 18 } });
    expect(again.version).toBe(draft.version + 1);

    const audit = await h.store.audit.list({ target: `offer:${OFFER}`, limit: 20 });
    const rejection = audit.entries.find((e) => e.action === 'offer.reject');
    expect(rejection?.staffId).toBe('a.approver');
    expect((rejection?.after as OfferVersion | undefined)?.reviews[0]?.comment).toMatch(/keep 18/);
  }, 120_000);

  it('a draft sent back returns to its author as a draft with the comment; fixed and resubmitted, it is approved and the approval keeps the what-if report', async () => {
    await carLoanShoppers(h);
    const draft = await submitted({ ...seeded, lever: 1.5 });
    const sent = await call(APPROVER, 'POST', path(draft, 'send-back'), {
      revision: draft.revision,
      comment: 'A lever of 1.5 crowds out the savings offers; try 1.2.',
    });
    expect(sent.status, await sent.clone().text()).toBe(200);
    const back: OfferVersion = await sent.json();
    expect(back).toMatchObject({ status: 'draft', submittedBy: null, authors: ['m.marketer'] });
    expect(back.reviews.map((r) => [r.action, r.comment])).toEqual([
      ['send-back', 'A lever of 1.5 crowds out the savings offers; try 1.2.'],
    ]);
    expect((await detail()).draft.reviews[0].comment).toMatch(/try 1\.2/);

    const edit = await call(MARKETER, 'PUT', `/v1/admin/offers/${OFFER}/drafts/${back.version}`, {
      revision: back.revision,
      offer: { ...seeded, lever: 1.2 },
    });
    expect(edit.status).toBe(200);
    const fixed: OfferVersion = await edit.json();
    // The comment stays with the version through the edit.
    expect(fixed.reviews).toHaveLength(1);
    expect((await call(MARKETER, 'POST', path(fixed, 'submit'), { revision: fixed.revision })).status).toBe(200);
    const approved = await call(APPROVER, 'POST', path(fixed, 'approve'), { revision: fixed.revision });
    expect(approved.status, await approved.clone().text()).toBe(200);

    const audit = await h.store.audit.list({ target: `offer:${OFFER}`, limit: 20 });
    expect(audit.entries.map((e) => e.action)).toEqual([
      'offer.approve',
      'offer.submit',
      'offer.edit',
      'offer.send-back',
      'offer.submit',
      'offer.draft',
    ]);
    const whatIf = (audit.entries[0]?.details as { whatIf?: WhatIfReport } | undefined)?.whatIf as WhatIfReport;
    expect(whatIf).toBeDefined();
    // The report of exactly the version approved, on the approval's sample, as the what-if route computes it.
    expect(whatIf).toMatchObject({ offerId: OFFER, version: fixed.version, at: NOW.toISOString() });
    expect(whatIf.sample.customers).toBe(120);
    expect(whatIf.sample.customers).toBeLessThanOrEqual(APPROVAL_WHAT_IF.sample);
    const shown = await call(
      APPROVER,
      'GET',
      `/v1/admin/offers/${OFFER}/versions/${fixed.version}/what-if?sample=${APPROVAL_WHAT_IF.sample}&days=${APPROVAL_WHAT_IF.days}`,
    );
    expect(await shown.json()).toEqual(whatIf);
    // The audit route gives the details too.
    const page = await (await call([['viewer'], 'v.viewer'], 'GET', `/v1/admin/audit?target=offer:${OFFER}`)).json();
    expect(page.entries[0].details.whatIf.replay).toEqual(whatIf.replay);
    expect(page.entries[1].details).toBeNull();
  }, 120_000);

  it('refuses a review without a comment, too long, with hostile text, at a stale revision, or by the author', async () => {
    const draft = await submitted({ ...seeded, lever: 1.3 });
    const fields = async (response: Response) => {
      const problem = await response.json();
      return (problem.errors ?? []).map((e: { path: string }) => e.path);
    };
    const missing = await call(APPROVER, 'POST', path(draft, 'reject'), { revision: draft.revision });
    expect(missing.status).toBe(422);
    expect(missing.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await fields(missing)).toEqual(['/comment']);
    const blank = await call(APPROVER, 'POST', path(draft, 'send-back'), { revision: draft.revision, comment: '   ' });
    expect(blank.status).toBe(422);
    expect(await fields(blank)).toEqual(['/comment']);
    const long = await call(APPROVER, 'POST', path(draft, 'reject'), {
      revision: draft.revision,
      comment: 'x'.repeat(MAX_REVIEW_COMMENT + 1),
    });
    expect(long.status).toBe(422);
    expect(await fields(long)).toEqual(['/comment']);
    // NUL cannot be stored by PostgreSQL: refused naming the field, as in every body.
    const nul = await call(
      APPROVER,
      'POST',
      path(draft, 'reject'),
      `{"revision":${draft.revision},"comment":"no\\u0000"}`,
    );
    expect(nul.status).toBe(422);
    expect(await fields(nul)).toEqual(['/comment']);
    const extra = await call(APPROVER, 'POST', path(draft, 'reject'), {
      revision: draft.revision,
      comment: 'fine',
      status: 'live',
    });
    expect(extra.status).toBe(422);
    const stale = await call(APPROVER, 'POST', path(draft, 'send-back'), {
      revision: draft.revision + 1,
      comment: 'Try 1.2.',
    });
    expect(stale.status).toBe(409);
    // Four eyes: the author may review none of their own drafts, approve included, even holding the approver role.
    const author: [StaffRole[], string] = [['marketer', 'approver'], 'm.marketer'];
    for (const step of ['approve', 'reject', 'send-back']) {
      const own = await call(author, 'POST', path(draft, step), { revision: draft.revision, comment: 'Mine is fine.' });
      expect(own.status, step).toBe(step === 'approve' ? 422 : 403);
    }
    const ownApprove = await call(author, 'POST', path(draft, 'approve'), { revision: draft.revision });
    expect(ownApprove.status).toBe(403);
    expect((await ownApprove.json()).type).toMatch(/four-eyes$/);
    // A marketer reviews nothing.
    expect(
      (await call(MARKETER, 'POST', path(draft, 'reject'), { revision: draft.revision, comment: 'No.' })).status,
    ).toBe(403);

    // Nothing of the refused attempts was stored: the draft is still submitted, without reviews, and the log holds
    // only the draft and its submission.
    const offer = await detail();
    expect(offer.draft).toMatchObject({ version: draft.version, status: 'submitted', reviews: [] });
    const audit = await h.store.audit.list({ target: `offer:${OFFER}`, limit: 20 });
    expect(audit.entries.map((e) => e.action)).toEqual(['offer.submit', 'offer.draft']);
  }, 120_000);
});
