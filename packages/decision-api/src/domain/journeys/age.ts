/** The ages a customer may have at a moment. */
export interface AgeRange {
  readonly youngest: number;
  readonly oldest: number;
}

/**
 * A customer's age from the birth year alone (the bank shares no birth date): the age they turn this calendar year,
 * or one less if their birthday is still to come. Pure: the moment is given.
 */
export function possibleAges(birthYear: number, now: Date): AgeRange {
  const oldest = now.getUTCFullYear() - birthYear;
  return { youngest: oldest - 1, oldest };
}
