/**
 * Local calendar arithmetic in an IANA time zone with Intl alone (no dependency): the bank plans its days and weeks
 * from its own midnight, which moves against UTC twice a year.
 */
const HOUR_MS = 3_600_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

export interface LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

export function localTime(at: Date, timeZone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(at)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year as number,
    month: parts.month as number,
    day: parts.day as number,
    hour: parts.hour as number,
    minute: parts.minute as number,
    second: parts.second as number,
  };
}

/** How far the zone's clock is ahead of UTC at that instant, in ms. */
function offsetAt(at: number, timeZone: string): number {
  const t = localTime(new Date(at), timeZone);
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - Math.floor(at / 1000) * 1000;
}

/** The instant the zone's clock shows this local date and hour (the earlier one where a clock change repeats it). */
export function zonedInstant(year: number, month: number, day: number, hour: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day, hour);
  let at = wall - offsetAt(wall, timeZone);
  // Twice: the offset at the first guess may differ from the offset at the answer near a clock change.
  at = wall - offsetAt(at, timeZone);
  return new Date(at);
}

/** The start of the local day `at` falls in, and of the day after it (23, 24 or 25 hours later). */
export function localDay(at: Date, timeZone: string): { start: Date; end: Date } {
  const t = localTime(at, timeZone);
  const next = new Date(Date.UTC(t.year, t.month - 1, t.day + 1));
  return {
    start: zonedInstant(t.year, t.month, t.day, 0, timeZone),
    end: zonedInstant(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 0, timeZone),
  };
}

/** The local week (Monday midnight to Monday midnight) `at` falls in. */
export function localWeek(at: Date, timeZone: string): { start: Date; end: Date } {
  const t = localTime(at, timeZone);
  const weekday = (new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay() + 6) % 7; // Monday 0
  const monday = new Date(Date.UTC(t.year, t.month - 1, t.day - weekday));
  const nextMonday = new Date(Date.UTC(t.year, t.month - 1, t.day - weekday + 7));
  return {
    start: zonedInstant(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate(), 0, timeZone),
    end: zonedInstant(nextMonday.getUTCFullYear(), nextMonday.getUTCMonth() + 1, nextMonday.getUTCDate(), 0, timeZone),
  };
}

/** The local hour of the week (Monday 00–01 is 0, Sunday 23–24 is 167). */
export function hourOfWeek(at: Date, timeZone: string): number {
  const t = localTime(at, timeZone);
  const weekday = (new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay() + 6) % 7;
  return weekday * 24 + t.hour;
}

/** The local date as YYYY-MM-DD. */
export function localDate(at: Date, timeZone: string): string {
  const t = localTime(at, timeZone);
  return `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
}

export { HOUR_MS };
