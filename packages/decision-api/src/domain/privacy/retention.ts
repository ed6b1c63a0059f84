const DAY_MS = 86_400_000;

/** Touchpoints that occurred before this moment are past their retention and are purged. */
export function retentionCutoff(now: Date, touchpointDays: number): Date {
  if (!Number.isInteger(touchpointDays) || touchpointDays < 1) {
    throw new RangeError(`[touchpoint] touchpointDays must be a whole number >= 1, got ${touchpointDays}`);
  }
  return new Date(now.getTime() - touchpointDays * DAY_MS);
}
