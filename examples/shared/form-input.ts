/** The whole number typed in a form field, or null when the field is empty or not a number. */
export function parseWholeNumber(value: string): number | null {
  const number = Number(value);
  return value.trim() !== '' && Number.isFinite(number) ? Math.round(number) : null;
}
