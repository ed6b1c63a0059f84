import { readFileSync } from 'node:fs';

/** The shared decision scenarios (decisions.json), typed. */
export interface DecisionCase {
  readonly story: string;
  readonly channel: 'netbank' | 'mobilebank';
  readonly page: string;
  readonly placements: string[];
  readonly touchpoints: Array<{
    type: string;
    minutesAgo: number;
    product?: string;
    page?: string;
    offer?: string;
    placement?: string;
  }>;
  /** Placement → the offer id expected to win, or null for no offer. */
  readonly expect: Record<string, string | null>;
  /** Offer id → the eligibility rule expected to exclude it. */
  readonly excluded?: Record<string, string>;
}

export interface DecisionCases {
  readonly specVersion: 1;
  readonly now: string;
  readonly cases: DecisionCase[];
}

export const decisionCases: DecisionCases = JSON.parse(
  readFileSync(new URL('./decisions.json', import.meta.url), 'utf8'),
);

/** A case's touchpoints with ids and times, as the SDK would send them. */
export function touchpointsOf(testCase: DecisionCase, now: Date) {
  return testCase.touchpoints.map(({ minutesAgo, ...fields }) => ({
    id: crypto.randomUUID(),
    occurredAt: new Date(now.getTime() - minutesAgo * 60_000).toISOString(),
    channel: testCase.channel,
    ...fields,
  }));
}
