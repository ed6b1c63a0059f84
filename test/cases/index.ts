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
  /**
   * Visits a partner reported from an external site (signed, server to server). A case with these is a logged-in
   * customer's: partners name customers, never devices.
   */
  readonly partnerTouchpoints?: Array<{ type: 'external_visit'; site: string; product: string; minutesAgo: number }>;
  /** Placement → the offer id expected to win, or null for no offer. */
  readonly expect: Record<string, string | null>;
  /** Offer id → the eligibility rule expected to exclude it. */
  readonly excluded?: Record<string, string>;
  /** Placement → the in-app trigger the trace names for the winner, or null for none. */
  readonly trigger?: Record<string, string | null>;
  /** Product → the stage its journey faded to by `now` (null: faded away), as the trace notes it. */
  readonly decayed?: Record<string, string | null>;
}

export interface DecisionCases {
  readonly specVersion: 1;
  readonly now: string;
  readonly cases: DecisionCase[];
}

export const decisionCases: DecisionCases = JSON.parse(
  readFileSync(new URL('./decisions.json', import.meta.url), 'utf8'),
);

/** A case's partner touchpoints with ids and times, for the given customer, as a partner would report them. */
/**
 * A fresh customer id for one run of a case, in letters and dashes only: a run of eight digits reads as a phone number,
 * and a partner touchpoint naming it would be refused as personal data.
 */
export function caseCustomerId(prefix: string): string {
  const letters = Array.from(
    crypto.getRandomValues(new Uint8Array(10)),
    (byte) => 'abcdefghijklmnopqrstuvwxyz'[byte % 26],
  );
  return `${prefix}-${letters.join('')}`;
}

export function partnerTouchpointsOf(testCase: DecisionCase, now: Date, customerId: string) {
  return (testCase.partnerTouchpoints ?? []).map(({ minutesAgo, ...fields }) => ({
    id: crypto.randomUUID(),
    customerId,
    occurredAt: new Date(now.getTime() - minutesAgo * 60_000).toISOString(),
    ...fields,
  }));
}

/** A case's touchpoints with ids and times, as the SDK would send them. */
export function touchpointsOf(testCase: DecisionCase, now: Date) {
  return testCase.touchpoints.map(({ minutesAgo, ...fields }) => ({
    id: crypto.randomUUID(),
    occurredAt: new Date(now.getTime() - minutesAgo * 60_000).toISOString(),
    channel: testCase.channel,
    ...fields,
  }));
}
