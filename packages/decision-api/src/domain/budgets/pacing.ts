import { HOUR_MS, hourOfWeek } from './zoned-time.js';

/**
 * Expected traffic by local hour of the week (Monday 00–01 first, 168 weights), learned from the last weeks' hourly
 * decision counts; null when there is too little to learn from, and pacing is linear in time.
 */
export type TrafficProfile = readonly number[] | null;

export interface HourlyCount {
  /** The UTC hour the count is of. */
  readonly hour: Date;
  readonly decisions: number;
}

const WEEK_HOURS = 168;

/**
 * The hour-of-week profile from hourly decision counts (mean per hour of week). A week or more of counts gives each
 * hour of the week its own weight; one to seven days give each hour of the day one weight for every day; less: null.
 */
export function trafficProfile(counts: readonly HourlyCount[], timeZone: string): TrafficProfile {
  if (counts.length === 0) return null;
  const times = counts.map((count) => count.hour.getTime());
  const spanHours = (Math.max(...times) - Math.min(...times)) / HOUR_MS + 1;
  if (spanHours < 24) return null;
  const byWeek = spanHours >= WEEK_HOURS;
  const slots = byWeek ? WEEK_HOURS : 24;
  const sums = new Array<number>(slots).fill(0);
  const hours = new Array<number>(slots).fill(0);
  // Hours without a row had no decisions: they count as zeros in the mean.
  const first = Math.min(...times);
  for (let t = first; t <= Math.max(...times); t += HOUR_MS) {
    const slot = hourOfWeek(new Date(t), timeZone) % slots;
    hours[slot] = (hours[slot] as number) + 1;
  }
  for (const count of counts) {
    const slot = hourOfWeek(count.hour, timeZone) % slots;
    sums[slot] = (sums[slot] as number) + count.decisions;
  }
  const means = sums.map((sum, slot) => sum / Math.max(1, hours[slot] as number));
  const total = means.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  return byWeek ? means : Array.from({ length: WEEK_HOURS }, (_, h) => means[h % 24] as number);
}

/** A period cut into hours with the cumulative expected traffic at each hour's start: the pacing line's shape. */
export interface PacingPlan {
  readonly start: number;
  readonly end: number;
  /** cumulative[k]: expected traffic from the start to the start of hour k; the last entry is the whole period's. */
  readonly cumulative: Float64Array;
  readonly linear: boolean;
}

export function pacingPlan(start: Date, end: Date, profile: TrafficProfile, timeZone: string): PacingPlan {
  const from = start.getTime();
  const to = end.getTime();
  const slots = Math.max(1, Math.ceil((to - from) / HOUR_MS));
  const cumulative = new Float64Array(slots + 1);
  const mean = profile ? profile.reduce((a, b) => a + b, 0) / profile.length : 1;
  for (let k = 0; k < slots; k++) {
    const slotStart = from + k * HOUR_MS;
    const length = Math.min(HOUR_MS, to - slotStart) / HOUR_MS;
    // A floor of a thousandth of the mean, so an hour that never had traffic still lets a little through.
    const weight = profile ? (profile[hourOfWeek(new Date(slotStart), timeZone)] as number) + mean / 1000 : 1;
    cumulative[k + 1] = (cumulative[k] as number) + weight * length;
  }
  return { start: from, end: to, cumulative, linear: profile === null };
}

/** The share (0–1) of the period's expected traffic that has passed at `at`. */
export function elapsedShare(plan: PacingPlan, at: Date): number {
  const t = at.getTime();
  if (t <= plan.start) return 0;
  if (t >= plan.end) return 1;
  const slots = plan.cumulative.length - 1;
  const k = Math.min(slots - 1, Math.floor((t - plan.start) / HOUR_MS));
  const slotStart = plan.start + k * HOUR_MS;
  const slotLength = Math.min(HOUR_MS, plan.end - slotStart);
  const before = plan.cumulative[k] as number;
  const within = ((plan.cumulative[k + 1] as number) - before) * ((t - slotStart) / slotLength);
  return (before + within) / (plan.cumulative[slots] as number);
}

/** How much of the maximum may be spent by now: all of it without pacing, else maximum × elapsed share. */
export function allowance(maximum: number, pacing: 'even' | 'asap', share: number): number {
  return pacing === 'asap' ? maximum : maximum * share;
}

/**
 * The lever boost of an offer behind the pace to its budget's minimum: 1 on pace or ahead, rising linearly to 2 when
 * the spend is a tenth of the minimum behind its pace (minimum × elapsed share).
 */
export function minimumBoost(minimum: number | undefined, spent: number, share: number): number {
  if (!minimum) return 1;
  const behind = minimum * share - spent;
  if (behind <= 0) return 1;
  return 1 + Math.min(1, behind / (0.1 * minimum));
}
