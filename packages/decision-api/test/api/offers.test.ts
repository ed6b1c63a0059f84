import { describe, expect, it } from 'vitest';
import type { Offer, OfferVersion } from '../../src/contract/index.js';
import type { StaffRole } from '../../src/http/staff-token.js';
import { decisionRequest, demoCatalog, engines, type Harness, staffToken, useHarness } from '../support/harness.js';

const OFFER = 'house-savings-goal';
const seeded = demoCatalog.offers.find((offer) => offer.id === OFFER) as Offer;

/** The seed's savings-goal offer with another English headline and a principle named. */
function edited(headline: string, changes: Partial<Offer> = {}): Offer {
  return {
    ...seeded,
    principle: 'default_effect',
    content: { ...seeded.content, en: { ...seeded.content.en, headline } },
    ...changes,
  };
}

async function send(h: Harness, method: string, path: string, roles: StaffRole[], id: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${await staffToken(roles, { id })}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return h.touchpoint.app.request(`http://touchpoint.test${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

const MARKETER: [StaffRole[], string] = [['marketer'], 'm.marketer'];
const APPROVER: [StaffRole[], string] = [['approver'], 'a.approver'];
const SECOND_APPROVER: [StaffRole[], string] = [['approver'], 'a.second'];

/** The headline decisions serve a fresh visitor on the dashboard hero (the savings-goal offer is the one for them). */
async function servedHeadline(h: Harness): Promise<{ offerId: string; headline: string } | null> {
  const response = await h.post('/v1/decisions', decisionRequest(['dashboard-hero']));
  expect(response.status).toBe(200);
  const { decisions } = await response.json();
  return decisions[0].offer ? { offerId: decisions[0].offer.offerId, headline: decisions[0].offer.headline } : null;
}

describe.each(engines)('offers under four eyes on $name', (engine) => {
  const h = useHarness(engine);

  const call = (who: [StaffRole[], string], method: string, path: string, body?: unknown) =>
    send(h, method, path, who[0], who[1], body);
  const draftOf = async (offer: Offer, baseVersion: number | null, who = MARKETER): Promise<OfferVersion> => {
    const response = await call(who, 'POST', `/v1/admin/offers/${offer.id}/drafts`, { baseVersion, offer });
    expect(response.status, JSON.stringify(await response.clone().json())).toBe(201);
    return response.json();
  };
  const stepOf = (who: [StaffRole[], string], draft: OfferVersion, name: string) =>
    call(who, 'POST', `/v1/admin/offers/${draft.offerId}/drafts/${draft.version}/${name}`, {
      revision: draft.revision,
    });
  /** Submitted by the author, approved and published by an approver. */
  async function goLive(draft: OfferVersion, author = MARKETER, approver = APPROVER): Promise<OfferVersion> {
    expect((await stepOf(author, draft, 'submit')).status).toBe(200);
    expect((await stepOf(approver, draft, 'approve')).status).toBe(200);
    const published = await stepOf(approver, draft, 'publish');
    expect(published.status).toBe(200);
    return published.json();
  }
  const detail = async (id = OFFER) => (await call(MARKETER, 'GET', `/v1/admin/offers/${id}`)).json();

  it('a marketer’s draft goes live only once another person approves it; decisions then serve it at once', async () => {
    const before = await servedHeadline(h);
    expect(before).toEqual({ offerId: OFFER, headline: seeded.content.en.headline });
    const start = await detail();
    expect(start.liveVersion).toBe(1);
    expect(start.versions.map((v: OfferVersion) => [v.version, v.kind, v.status])).toEqual([[1, 'catalog', 'live']]);

    const draft = await draftOf(edited('Pick a goal, we do the rest'), 1);
    expect(draft).toMatchObject({ version: 2, status: 'draft', kind: 'edit', baseVersion: 1, authors: ['m.marketer'] });
    // A draft is not live: decisions still serve the catalog's content.
    expect(await servedHeadline(h)).toEqual(before);

    expect((await stepOf(APPROVER, draft, 'approve')).status).toBe(409); // not submitted yet
    expect((await stepOf(MARKETER, draft, 'submit')).status).toBe(200);
    expect((await stepOf(APPROVER, draft, 'publish')).status).toBe(409); // not approved yet
    // The author cannot approve, even holding the approver role.
    const own = await stepOf([['marketer', 'approver'], 'm.marketer'], draft, 'approve');
    expect(own.status).toBe(403);
    const ownProblem = await own.json();
    expect(ownProblem.type).toMatch(/four-eyes$/);
    expect(ownProblem.title).toBe('Four eyes');
    // A marketer neither approves nor publishes.
    expect((await stepOf(MARKETER, draft, 'publish')).status).toBe(403);
    expect(await servedHeadline(h)).toEqual(before);

    const approved = await stepOf(APPROVER, draft, 'approve');
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ status: 'approved', approvedBy: 'a.approver' });
    const published = await stepOf(APPROVER, draft, 'publish');
    expect(published.status).toBe(200);
    const live: OfferVersion = await published.json();
    expect(live).toMatchObject({ status: 'live', publishedBy: 'a.approver' });

    expect(await servedHeadline(h)).toEqual({ offerId: OFFER, headline: 'Pick a goal, we do the rest' });
    const health = await (await h.get('/healthz', { key: null })).json();
    expect(health.catalogVersion).toBe(live.catalogVersion);
    const stored = await h.store.latestCatalog();
    expect(stored?.version).toBe(live.catalogVersion);
    expect(stored?.offers.find((o) => o.id === OFFER)?.principle).toBe('default_effect');
    // The rest of the catalog is as it was.
    expect(stored?.offers.map((o) => o.id)).toEqual(demoCatalog.offers.map((o) => o.id));

    const after = await detail();
    expect(after.liveVersion).toBe(2);
    expect(after.draft).toBeNull();
    expect(after.versions.map((v: OfferVersion) => [v.version, v.status])).toEqual([
      [2, 'live'],
      [1, 'retired'],
    ]);
    const list = await (await call([['viewer'], 'v.viewer'], 'GET', '/v1/admin/offers')).json();
    expect(list.offers.find((o: { id: string }) => o.id === OFFER)).toMatchObject({
      liveVersion: 2,
      headline: 'Pick a goal, we do the rest',
      draft: null,
    });

    // Each step is in the audit log with the version before and after; the refused attempts left nothing.
    const audit = await h.store.audit.list({ target: `offer:${OFFER}`, limit: 20 });
    expect(audit.entries.map((e) => [e.action, e.staffId])).toEqual([
      ['offer.publish', 'a.approver'],
      ['offer.approve', 'a.approver'],
      ['offer.submit', 'm.marketer'],
      ['offer.draft', 'm.marketer'],
    ]);
    const [publish, , , drafted] = audit.entries as Array<{ before: OfferVersion; after: OfferVersion }>;
    expect(publish?.before.offer.content.en.headline).toBe(seeded.content.en.headline);
    expect(publish?.after.offer.content.en.headline).toBe('Pick a goal, we do the rest');
    expect(drafted?.before.version).toBe(1);
    expect(drafted?.after.status).toBe('draft');
    // The first test of the file warms the embedded store up, which can take a while on a busy machine.
  }, 120_000);

  it('a rollback is a draft like any other: another approver approves it, and the old content is served again', async () => {
    await goLive(await draftOf(edited('Pick a goal, we do the rest'), 1));
    expect((await servedHeadline(h))?.headline).toBe('Pick a goal, we do the rest');

    const stale = await call(APPROVER, 'POST', `/v1/admin/offers/${OFFER}/rollback`, { toVersion: 1, baseVersion: 1 });
    expect(stale.status).toBe(409);
    const toLive = await call(APPROVER, 'POST', `/v1/admin/offers/${OFFER}/rollback`, { toVersion: 2, baseVersion: 2 });
    expect(toLive.status).toBe(422);
    expect((await toLive.json()).errors[0].path).toBe('/toVersion');

    const response = await call(APPROVER, 'POST', `/v1/admin/offers/${OFFER}/rollback`, {
      toVersion: 1,
      baseVersion: 2,
    });
    expect(response.status).toBe(201);
    const rollback: OfferVersion = await response.json();
    expect(rollback).toMatchObject({ version: 3, kind: 'rollback', rollbackOf: 1, baseVersion: 2, status: 'draft' });
    expect(rollback.offer).toEqual(seeded);
    // Still the published content until the rollback is approved and published.
    expect((await servedHeadline(h))?.headline).toBe('Pick a goal, we do the rest');
    expect((await stepOf(APPROVER, rollback, 'submit')).status).toBe(200);
    expect((await stepOf(APPROVER, rollback, 'approve')).status).toBe(403);
    expect((await stepOf(SECOND_APPROVER, rollback, 'approve')).status).toBe(200);
    expect((await stepOf(SECOND_APPROVER, rollback, 'publish')).status).toBe(200);
    const state = await detail();
    expect(state.liveVersion).toBe(3);
    expect(state.versions.map((v: OfferVersion) => [v.version, v.status, v.kind])).toEqual([
      [3, 'live', 'rollback'],
      [2, 'retired', 'edit'],
      [1, 'retired', 'catalog'],
    ]);
    expect(await servedHeadline(h)).toEqual({ offerId: OFFER, headline: seeded.content.en.headline });
    const actions = (await h.store.audit.list({ target: `offer:${OFFER}`, limit: 20 })).entries.map((e) => e.action);
    expect(actions.slice(0, 4)).toEqual(['offer.publish', 'offer.approve', 'offer.submit', 'offer.rollback']);
  });

  it('a stale view is refused with 409: an old base version, a second draft, an outdated revision', async () => {
    const draft = await draftOf(edited('First change'), 1);
    const second = await call(MARKETER, 'POST', `/v1/admin/offers/${OFFER}/drafts`, {
      baseVersion: 1,
      offer: edited('Second change'),
    });
    expect(second.status).toBe(409);

    // Another marketer edits the draft: the revision moves on, and the first marketer's view is stale.
    const other: [StaffRole[], string] = [['marketer'], 'm.other'];
    const edit = await call(other, 'PUT', `/v1/admin/offers/${OFFER}/drafts/${draft.version}`, {
      revision: 1,
      offer: edited('First change, reworded'),
    });
    expect(edit.status).toBe(200);
    const editedDraft: OfferVersion = await edit.json();
    expect(editedDraft).toMatchObject({ revision: 2, authors: ['m.marketer', 'm.other'] });
    const late = await call(MARKETER, 'PUT', `/v1/admin/offers/${OFFER}/drafts/${draft.version}`, {
      revision: 1,
      offer: edited('My own wording'),
    });
    expect(late.status).toBe(409);
    expect((await stepOf(MARKETER, draft, 'submit')).status).toBe(409);

    // An editor is an author too: four eyes keep them from approving.
    expect((await stepOf(MARKETER, editedDraft, 'submit')).status).toBe(200);
    expect((await stepOf([['approver', 'marketer'], 'm.other'], editedDraft, 'approve')).status).toBe(403);
    expect((await stepOf(MARKETER, editedDraft, 'submit')).status).toBe(409); // already submitted
    expect((await stepOf(APPROVER, editedDraft, 'approve')).status).toBe(200);
    expect((await stepOf(APPROVER, editedDraft, 'publish')).status).toBe(200);

    const old = await call(MARKETER, 'POST', `/v1/admin/offers/${OFFER}/drafts`, {
      baseVersion: 1,
      offer: edited('Written from an old page'),
    });
    expect(old.status).toBe(409);
    expect((await old.json()).detail).toContain('The live version of "house-savings-goal" is 2');
    expect((await servedHeadline(h))?.headline).toBe('First change, reworded');
  });

  it('changes made at the same moment: one draft per offer wins, and two offers published together both go live', async () => {
    const racing = await Promise.all(
      ['Racing one', 'Racing two'].map((headline) =>
        call(MARKETER, 'POST', `/v1/admin/offers/${OFFER}/drafts`, { baseVersion: 1, offer: edited(headline) }),
      ),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409]);
    const first = (await (racing[0]?.status === 201 ? racing[0] : racing[1])?.json()) as OfferVersion;

    const other = demoCatalog.offers.find((offer) => offer.id === 'house-advisor-meeting') as Offer;
    const second = await draftOf(
      { ...other, content: { ...other.content, en: { ...other.content.en, headline: 'Ask us' } } },
      1,
    );
    for (const draft of [first, second]) {
      expect((await stepOf(MARKETER, draft, 'submit')).status).toBe(200);
      expect((await stepOf(APPROVER, draft, 'approve')).status).toBe(200);
    }
    // Each publish writes a whole catalog: done together, neither may lose the other's change.
    const published = await Promise.all([first, second].map((draft) => stepOf(APPROVER, draft, 'publish')));
    expect(published.map((r) => r.status)).toEqual([200, 200]);
    const catalog = await h.store.latestCatalog();
    const headline = (id: string) => catalog?.offers.find((o) => o.id === id)?.content.en.headline;
    expect(headline(OFFER)).toBe(first.offer.content.en.headline);
    expect(headline('house-advisor-meeting')).toBe('Ask us');
    expect(h.touchpoint.catalog.current().version).toBe(catalog?.version);
  });

  it('a draft that would make the catalog invalid is refused with 422 naming the field, and nothing is stored', async () => {
    const counts = await h.tableCounts();
    const refused = async (offer: unknown, path = `/v1/admin/offers/${OFFER}/drafts`) => {
      const response = await call(MARKETER, 'POST', path, { baseVersion: 1, offer });
      expect(response.status).toBe(422);
      return ((await response.json()).errors as Array<{ path: string; message: string }>).map((e) => e.path);
    };
    expect(await refused({ ...edited('x'), rules: { minAge: 18, health: 'diabetes' } })).toEqual([
      '/offer/rules/health',
    ]);
    expect(await refused(edited('x', { placements: ['dashboard-hero', 'nowhere'] }))).toEqual(['/offer/placements/1']);
    expect(
      await refused({
        ...seeded,
        content: { ...seeded.content, da: { ...seeded.content.da, ctaUrl: 'https://evil.example/phish' } },
      }),
    ).toEqual(['/offer/content/da/ctaUrl']);
    expect(await refused(edited('x', { product: 'yacht' }))).toEqual(['/offer/product']);
    expect(await refused({ ...edited('x'), value: -1, lever: 0 })).toEqual(['/offer/value', '/offer/lever']);
    expect(
      await refused({ ...seeded, content: { ...seeded.content, en: { ...seeded.content.en, headline: '' } } }),
    ).toEqual(['/offer/content/en/headline']);
    expect(await refused({ ...edited('x'), principle: 'nagging' })).toEqual(['/offer/principle']);
    expect(await refused(edited('x', { id: 'another-offer' }))).toEqual(['/offer/id']);
    expect(await h.tableCounts()).toEqual(counts);
  });

  it('a new offer goes live through the same approval, and a viewer or an advisor can change nothing', async () => {
    const fresh: Offer = { ...edited('A brand-new offer'), id: 'savings-new-goal', product: 'savings', stages: [] };
    const counts = await h.tableCounts();
    for (const who of [
      [['viewer'], 'v.viewer'],
      [['advisor'], 'r.advisor'],
    ] as Array<[StaffRole[], string]>) {
      const create = await call(who, 'POST', `/v1/admin/offers/${fresh.id}/drafts`, {
        baseVersion: null,
        offer: fresh,
      });
      expect(create.status).toBe(403);
      const rollback = await call(who, 'POST', `/v1/admin/offers/${OFFER}/rollback`, { toVersion: 1, baseVersion: 1 });
      expect(rollback.status).toBe(403);
    }
    expect((await call([['advisor'], 'r.advisor'], 'GET', '/v1/admin/offers')).status).toBe(403);
    expect(await h.tableCounts()).toEqual(counts);

    expect((await call(MARKETER, 'GET', `/v1/admin/offers/${fresh.id}`)).status).toBe(404);
    expect(
      (await call(MARKETER, 'POST', `/v1/admin/offers/${fresh.id}/drafts`, { baseVersion: 1, offer: fresh })).status,
    ).toBe(409);
    const draft = await draftOf(fresh, null);
    expect(draft).toMatchObject({ version: 1, kind: 'new', baseVersion: null });
    const viewer: [StaffRole[], string] = [['viewer'], 'v.viewer'];
    for (const name of ['submit', 'approve', 'publish']) expect((await stepOf(viewer, draft, name)).status).toBe(403);
    const listed = await (await call(viewer, 'GET', '/v1/admin/offers')).json();
    expect(listed.offers.at(-1)).toMatchObject({ id: fresh.id, liveVersion: null, draft: { status: 'draft' } });

    await goLive(draft);
    expect(h.touchpoint.catalog.current().offers.get(fresh.id)?.content.en.headline).toBe('A brand-new offer');
    expect((await detail(fresh.id)).liveVersion).toBe(1);
  });
});
