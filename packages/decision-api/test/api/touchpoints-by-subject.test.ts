import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Touchpoint } from '../../src/contract/index.js';
import { createRandom, generateDemoBank } from '../../src/demo/index.js';
import { seedDemoBank } from '../../src/demo/seed.js';
import { trainClusters } from '../../src/domain/clustering/clusters.js';
import { compileCatalog } from '../../src/domain/decision/catalog.js';
import { featuresOf } from '../../src/domain/journeys/features.js';
import { EMPTY_PROFILE } from '../../src/domain/journeys/profile.js';
import { trainClustersFromStore } from '../../src/jobs/cluster-training.js';
import { createSqlStore, type Store, type Subject, type SubjectTouchpoints } from '../../src/store/store.js';
import { databaseFor, demoCatalog, engines, NOW } from '../support/harness.js';

const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();

function stored(subject: Subject, touchpoint: Omit<Touchpoint, 'id'>) {
  return { subject, anonymousId: null, touchpoint: { id: crypto.randomUUID(), ...touchpoint } as Touchpoint };
}

async function readAll(iterable: AsyncIterable<SubjectTouchpoints>): Promise<SubjectTouchpoints[]> {
  const all: SubjectTouchpoints[] = [];
  for await (const entry of iterable) all.push(entry);
  return all;
}

describe.each(engines)('reading every customer’s history for batch jobs, on $name', (engine) => {
  const database = databaseFor(engine);
  let store: Store;
  beforeEach(async () => {
    store = createSqlStore(await database.open());
  });
  afterAll(() => database.close());

  it('gives each customer once, in subject order, with their touchpoints oldest first, across pages', async () => {
    const customers = ['c-07', 'c-03', 'c-01', 'c-05', 'c-02', 'c-06', 'c-04'];
    await store.insertTouchpoints(
      customers.flatMap((id, n) => [
        stored(`c:${id}`, {
          type: 'calculator_used',
          occurredAt: minutesAgo(n),
          channel: 'netbank',
          product: 'car_loan',
        }),
        stored(`c:${id}`, {
          type: 'page_view',
          occurredAt: minutesAgo(n + 10),
          channel: 'mobilebank',
          page: '/pension',
        }),
      ]),
    );
    await store.putProfiles([{ subject: 'c:c-03', profile: { ...EMPTY_PROFILE, productsHeld: ['savings'] } }]);

    const read = await readAll(store.touchpointsBySubject({ pageSize: 3 }));
    expect(read.map((entry) => entry.subject)).toEqual([...customers].sort().map((id) => `c:${id}`));
    const third = read[2];
    expect(third?.productsHeld).toEqual(['savings']);
    expect(read[0]?.productsHeld).toEqual([]);
    expect(third?.touchpoints).toEqual([
      { type: 'page_view', occurredAt: minutesAgo(11), channel: 'mobilebank', page: '/pension' },
      { type: 'calculator_used', occurredAt: minutesAgo(1), channel: 'netbank', product: 'car_loan' },
    ]);
  });

  it('leaves out anonymous devices unless asked for every subject', async () => {
    await store.insertTouchpoints([
      stored('c:c-01', { type: 'page_view', occurredAt: minutesAgo(1), channel: 'netbank', page: '/dashboard' }),
      stored(`a:${crypto.randomUUID()}`, { type: 'page_view', occurredAt: minutesAgo(1), channel: 'netbank' }),
    ]);
    expect((await readAll(store.touchpointsBySubject())).map((entry) => entry.subject)).toEqual(['c:c-01']);
    const all = await readAll(store.touchpointsBySubject({ subjects: 'all', pageSize: 1 }));
    expect(all.map((entry) => entry.subject.slice(0, 2))).toEqual(['a:', 'c:']);
  });

  it('reads nothing from an empty store, and refuses a page size that is not a whole number', async () => {
    expect(await readAll(store.touchpointsBySubject())).toEqual([]);
    await expect(readAll(store.touchpointsBySubject({ pageSize: 0 }))).rejects.toThrow(/pageSize/);
    await expect(readAll(store.touchpointsBySubject({ pageSize: 2.5 }))).rejects.toThrow(/pageSize/);
  });

  it('trains the same clusters from the seeded store as from the demo bank in memory', async () => {
    await seedDemoBank(store, { catalog: demoCatalog, now: NOW, customers: 400 });
    const fromStore = await trainClustersFromStore(store, {
      now: NOW,
      random: createRandom(1).next,
      minClusterSize: 20,
    });

    const bank = generateDemoBank({ now: NOW, customers: 400 });
    const { productOfPage } = compileCatalog(demoCatalog);
    const vectors = bank.customers.map((customer) =>
      featuresOf(
        bank.touchpoints.filter((touchpoint) => touchpoint.customerId === customer.id),
        customer.productsHeld,
        NOW,
        productOfPage,
      ),
    );
    const inMemory = trainClusters(vectors, { now: NOW, random: createRandom(1).next, minClusterSize: 20 });
    expect(fromStore.subjects).toEqual(bank.customers.map((customer) => `c:${customer.id}`));
    expect(fromStore.model).toEqual(inMemory.model);
    expect(fromStore.assignments).toEqual(inMemory.assignments);
  });

  it('refuses to train on a store without customers', async () => {
    await expect(trainClustersFromStore(store, { now: NOW, random: createRandom(1).next })).rejects.toThrow(
      /no customers/,
    );
  });
});
