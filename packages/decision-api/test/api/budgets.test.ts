import { describe, expect, it } from 'vitest';
import { type BudgetInput, Catalog } from '../../src/contract/index.js';
import {
  decisionRequest,
  demoCatalog,
  engines,
  useHarness as harness,
  NOW,
  staffToken,
  type useHarness,
} from '../support/harness.js';

type Harness = ReturnType<typeof useHarness>;

interface Decision {
  decisionId: string;
  offer: { offerId: string } | null;
}

/** A campaign around NOW, so the budget is in force whatever the time of day. */
const campaign = (budget: Partial<BudgetInput> & Pick<BudgetInput, 'id' | 'scope' | 'maximum'>): BudgetInput => ({
  name: budget.id,
  measure: 'served_decisions',
  period: 'campaign',
  pacing: 'asap',
  from: new Date(NOW.getTime() - 86_400_000).toISOString(),
  to: new Date(NOW.getTime() + 86_400_000).toISOString(),
  ...budget,
});

async function withBudgets(h: Harness, budgets: BudgetInput[]): Promise<void> {
  await h.touchpoint.catalog.publish(Catalog.parse({ ...demoCatalog, version: 'with-budgets', budgets }));
  await h.touchpoint.services.budgets.sync();
  await h.touchpoint.services.budgets.idle();
}

async function decide(h: Harness, anonymousId = crypto.randomUUID()): Promise<Decision> {
  const response = await h.post('/v1/decisions', decisionRequest(['dashboard-hero'], '/dashboard', anonymousId));
  expect(response.status).toBe(200);
  const { decisions } = (await response.json()) as { decisions: Decision[] };
  return decisions[0] as Decision;
}

describe.each(engines)('budgets on $name', (engine) => {
  const h = harness(engine);

  it('a visitor is not shown an offer whose budget is spent, and the trace names the budget', async () => {
    await withBudgets(h, [
      campaign({ id: 'house-goal-5', scope: { kind: 'offer', offer: 'house-savings-goal' }, maximum: 5 }),
    ]);
    const served: Decision[] = [];
    let after: Decision | undefined;
    for (let i = 0; i < 8; i++) {
      const decision = await decide(h);
      await h.touchpoint.services.budgets.idle();
      if (decision.offer?.offerId === 'house-savings-goal') served.push(decision);
      else after ??= decision;
    }
    expect(served).toHaveLength(5);
    expect(after?.offer).toBeNull();
    await h.touchpoint.flush();
    const stored = await h.store.decision(after?.decisionId as string);
    const trace = stored?.trace as
      | { candidates: Array<{ offerId: string; excludedBy?: { rule: string; budget?: string } }> }
      | undefined;
    const candidate = trace?.candidates.find((c) => c.offerId === 'house-savings-goal');
    expect(candidate?.excludedBy).toMatchObject({ rule: 'budget-exhausted', budget: 'house-goal-5' });
  });

  it('in one process, many concurrent decisions against a budget of 500 serve exactly 500', async () => {
    await withBudgets(h, [
      campaign({ id: 'hero-500', scope: { kind: 'placement', placement: 'dashboard-hero' }, maximum: 500 }),
    ]);
    let served = 0;
    let asked = 0;
    // 50 at a time, many customers, 1,500 decisions in all: well past the budget.
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (asked < 1500) {
          asked++;
          if ((await decide(h)).offer !== null) served++;
        }
      }),
    );
    await h.touchpoint.services.budgets.sync();
    expect(served).toBe(500);
    const [counter] = await h.store.budgetCounters.counters([{ budgetId: 'hero-500', period: 'campaign' }]);
    expect(counter?.used).toBe(500);
  }, 120_000);

  it('a preview reads the budgets and spends nothing', async () => {
    await withBudgets(h, [
      campaign({ id: 'house-goal-2', scope: { kind: 'offer', offer: 'house-savings-goal' }, maximum: 2 }),
    ]);
    const token = await staffToken(['viewer']);
    for (let i = 0; i < 3; i++) {
      const response = await h.post(
        '/v1/admin/preview',
        {
          profile: { productsHeld: [], stages: {} },
          context: { channel: 'netbank', page: '/dashboard', locale: 'en' },
          placements: ['dashboard-hero'],
        },
        { token, key: null },
      );
      expect(response.status).toBe(200);
    }
    await h.touchpoint.services.budgets.sync();
    const [counter] = await h.store.budgetCounters.counters([{ budgetId: 'house-goal-2', period: 'campaign' }]);
    // The blocks leased ahead of the first decision, none spent.
    expect(counter?.spent ?? 0).toBe(0);
    expect((await decide(h)).offer?.offerId).toBe('house-savings-goal');
  });
});
