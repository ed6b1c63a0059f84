/**
 * The four-fifths check: for each offer, the rate at which each group of customers is offered it, against the group
 * offered it most. A group offered it at under 0.8 of that rate is flagged with the rule that held it back most often
 * (or "ranked lower" when it was eligible and lost on priority). Groups are age bands as eligibility reads age, or an
 * attribute the bank supplies for auditing only (rules never read those).
 */
import type { ReplayedPlacement } from './replay.js';

export const FOUR_FIFTHS = 0.8;
/** A group with fewer customers than this is reported but not flagged: its rate is too noisy to judge. */
export const MIN_GROUP = 30;

export interface AuditedCustomer {
  /** The customer's group under the attribute audited (e.g. an age band); null when unknown (not judged). */
  readonly group: string | null;
  readonly placements: readonly ReplayedPlacement[];
}

export interface GroupRate {
  readonly group: string;
  readonly customers: number;
  readonly offered: number;
  readonly rate: number;
  /** This group's rate over the most-offered group's. */
  readonly ratio: number;
  readonly flagged: boolean;
  /** Why customers of this group were not offered it, most often. */
  readonly cause: { readonly rule: string; readonly count: number } | null;
}

export interface OfferFairness {
  readonly offerId: string;
  readonly credit: boolean;
  readonly groups: readonly GroupRate[];
  readonly flagged: boolean;
}

const RANKED_LOWER = 'ranked lower';

export function fairnessCheck(
  customers: readonly AuditedCustomer[],
  offers: ReadonlyArray<{ readonly id: string; readonly credit: boolean }>,
): OfferFairness[] {
  const groups = new Map<string, AuditedCustomer[]>();
  for (const customer of customers) {
    if (customer.group === null) continue;
    const list = groups.get(customer.group) ?? [];
    list.push(customer);
    groups.set(customer.group, list);
  }
  const report = offers.map((offer) => {
    const rates = [...groups].map(([group, members]) => {
      let offered = 0;
      const causes = new Map<string, number>();
      for (const member of members) {
        if (member.placements.some((p) => p.winner === offer.id)) {
          offered++;
          continue;
        }
        // The rule that excluded it where it was a candidate; eligible everywhere it was listed: it ranked lower.
        const listed = member.placements.flatMap((p) => p.candidates.filter((c) => c.offerId === offer.id));
        if (listed.length === 0) continue;
        const rule = listed.find((c) => c.excludedBy)?.excludedBy?.rule ?? RANKED_LOWER;
        causes.set(rule, (causes.get(rule) ?? 0) + 1);
      }
      const cause = [...causes].map(([rule, count]) => ({ rule, count })).sort((a, b) => b.count - a.count)[0] ?? null;
      return { group, customers: members.length, offered, rate: offered / members.length, cause };
    });
    const best = Math.max(0, ...rates.filter((r) => r.customers >= MIN_GROUP).map((r) => r.rate));
    const rows: GroupRate[] = rates
      .map((r) => {
        const ratio = best > 0 ? r.rate / best : 1;
        return { ...r, ratio, flagged: best > 0 && r.customers >= MIN_GROUP && ratio < FOUR_FIFTHS };
      })
      .sort((a, b) => a.group.localeCompare(b.group));
    return { offerId: offer.id, credit: offer.credit, groups: rows, flagged: rows.some((r) => r.flagged) };
  });
  // Credit offers first: the regulator watches them.
  return report.sort((a, b) => Number(b.credit) - Number(a.credit) || a.offerId.localeCompare(b.offerId));
}

/** Age bands of ten years from the birth year, as of a moment (the older of the two possible ages). */
export function ageBand(birthYear: number | undefined, now: Date): string | null {
  if (birthYear === undefined) return null;
  const age = now.getUTCFullYear() - birthYear;
  if (age < 18) return 'under 18';
  if (age >= 70) return '70+';
  const low = age < 20 ? 18 : Math.floor(age / 10) * 10;
  return `${low}–${low === 18 ? 19 : low + 9}`;
}
