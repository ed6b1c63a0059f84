import { describe, expect, it } from 'vitest';
import { Catalog, DEFAULT_OFFER_CAPS, type Offer } from '../../src/contract/index.js';
import { migrate } from '../../src/store/migrations.js';
import { demoCatalog, engines, staffToken, useHarness } from '../support/harness.js';

const house = demoCatalog.offers.find((offer) => offer.id === 'house-savings-goal') as Offer;
const capped = { ...house, caps: { perDay: 1, perWeek: 2 } };

describe('a house offer in the contract', () => {
  it('carries no caps: it is the fallback shown when nothing else is eligible, so caps on it are refused', () => {
    expect(house.product).toBeNull();
    expect(house).not.toHaveProperty('caps');
    const result = Catalog.safeParse({
      ...demoCatalog,
      offers: demoCatalog.offers.map((o) => (o === house ? capped : o)),
    });
    expect(result.success).toBe(false);
    const index = demoCatalog.offers.indexOf(house);
    expect(result.error?.issues.map((issue) => [issue.path.join('/'), issue.message])).toEqual([
      [`offers/${index}/caps`, expect.stringMatching(/house offer is never capped/)],
    ]);
  });

  it('a product offer may carry caps, and without them has the default of 2 a day and 3 a week', () => {
    const product = demoCatalog.offers.find((offer) => offer.product !== null) as Offer;
    const withCaps = { ...product, caps: { perDay: 1, perWeek: 1 } };
    const parsed = Catalog.parse({
      ...demoCatalog,
      offers: demoCatalog.offers.map((o) => (o === product ? withCaps : o)),
    });
    expect(parsed.offers.find((o) => o.id === product.id)?.caps).toEqual({ perDay: 1, perWeek: 1 });
    // Absent, eligibility caps a product offer by the default (the decision property tests hold it to them).
    expect(DEFAULT_OFFER_CAPS).toEqual({ perDay: 2, perWeek: 3 });
  });
});

describe.each(engines)('house offers on $name', (engine) => {
  const h = useHarness(engine);

  it('a draft of a house offer with caps is refused, naming the field; without them it is kept', async () => {
    const token = await staffToken(['marketer'], { id: 'm.marketer' });
    const send = (offer: Offer) =>
      h.touchpoint.app.request(`http://touchpoint.test/v1/admin/offers/${offer.id}/drafts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ baseVersion: 1, offer }),
      });
    const refused = await send(capped);
    expect(refused.status).toBe(422);
    expect((await refused.json()).errors).toEqual([
      { path: '/offer/caps', message: expect.stringMatching(/house offer is never capped/) },
    ]);
    const kept = await send({ ...house, content: { ...house.content, en: { ...house.content.en, headline: 'New' } } });
    expect(kept.status).toBe(201);
  });

  it('catalogs and offer versions stored with caps on a house offer lose them when migrated', async () => {
    const { db } = h;
    // The schema as it was before the migration.
    await db.query('DELETE FROM schema_migrations WHERE version = 16');
    // As stored before: a catalog whose house offer holds the caps the contract used to default, and its version.
    await db.query('INSERT INTO catalog_versions (version, body) VALUES ($1, $2)', [
      'stored-with-caps',
      JSON.stringify({ ...demoCatalog, offers: demoCatalog.offers.map((o) => (o === house ? capped : o)) }),
    ]);
    await db.query(
      `INSERT INTO offer_versions (offer_id, version, status, revision, body, created_at, updated_at)
       VALUES ($1, 7, 'draft', 1, $2, now(), now())`,
      [house.id, JSON.stringify({ offerId: house.id, version: 7, offer: capped })],
    );
    expect(await migrate(db)).toEqual([16]);
    const [catalog] = await db.query<{ body: unknown }>('SELECT body FROM catalog_versions WHERE version = $1', [
      'stored-with-caps',
    ]);
    const parsed = Catalog.parse(catalog?.body);
    expect(parsed.offers.find((o) => o.id === house.id)).not.toHaveProperty('caps');
    expect(parsed.offers.filter((o) => o.caps !== undefined).map((o) => o.id)).toEqual(
      demoCatalog.offers.filter((o) => o.caps !== undefined).map((o) => o.id),
    );
    const [version] = await db.query<{ body: { offer: Offer } }>(
      'SELECT body FROM offer_versions WHERE offer_id = $1 AND version = 7',
      [house.id],
    );
    expect(version?.body.offer).toEqual(house);
  });
});
