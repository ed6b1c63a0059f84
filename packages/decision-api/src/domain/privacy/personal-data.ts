/**
 * Direct identifiers that touchpoints and decision requests must never carry: the API refuses them at the door, so
 * they are neither stored nor logged. Pure: a string in, the kinds of personal data it looks like out.
 */
export const PERSONAL_DATA_KINDS = ['email', 'phone', 'cpr', 'iban', 'account'] as const;
export type PersonalDataKind = (typeof PERSONAL_DATA_KINDS)[number];

const LABELS: Record<PersonalDataKind, string> = {
  email: 'an e-mail address',
  phone: 'a phone number',
  cpr: 'a CPR number',
  iban: 'an IBAN',
  account: 'a bank account number',
};

/**
 * Fields that hold pseudonymous keys, not free text. A bank's own customer numbers may have the shape of a phone or an
 * account number (eight digits starting 2–9 is a valid customer number), so a key is refused only when it looks like
 * what must never serve as a pseudonymous id: an e-mail address or a CPR number.
 */
export const ID_FIELDS: ReadonlySet<string> = new Set(['customerId', 'anonymousId']);

/** The kinds of personal data a pseudonymous id looks like: only an e-mail address or a CPR number; empty when none. */
export function detectPersonalDataInId(id: string): PersonalDataKind[] {
  return detectPersonalData(id).filter((kind) => kind === 'email' || kind === 'cpr');
}

/** Where a finding is: a JSON Pointer, and whether the value or a field name there looks like personal data. */
export interface PersonalDataFinding {
  readonly path: string;
  readonly kind: PersonalDataKind;
  readonly in: 'value' | 'name';
}

/** The refusal, naming the kind of data and never the value. */
export function personalDataMessage(finding: Pick<PersonalDataFinding, 'kind' | 'in'>): string {
  const what = finding.in === 'name' ? 'a field name here looks like' : 'looks like';
  return `${what} ${LABELS[finding.kind]}; personal data is never accepted`;
}

/**
 * Every string (and object key) in a JSON value that looks like personal data, by JSON Pointer under `prefix`; a
 * string under an id field (`ID_FIELDS`) is judged as an id.
 */
export function findPersonalData(value: unknown, prefix = ''): PersonalDataFinding[] {
  const findings: PersonalDataFinding[] = [];
  const seen = new Set<string>();
  const add = (path: string, kinds: readonly PersonalDataKind[], where: PersonalDataFinding['in']) => {
    for (const kind of kinds) {
      const key = `${where} ${kind} ${path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({ path, kind, in: where });
    }
  };
  // Iterative, so a deeply nested body cannot exhaust the stack.
  const stack: Array<{ value: unknown; path: string }> = [{ value, path: prefix }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop() as { value: unknown; path: string };
    if (typeof current === 'string') add(path, detectPersonalData(current), 'value');
    else if (Array.isArray(current)) {
      current.forEach((item, index) => {
        stack.push({ value: item, path: `${path}/${index}` });
      });
    } else if (current !== null && typeof current === 'object') {
      for (const [key, item] of Object.entries(current)) {
        const inName = detectPersonalData(key);
        add(path, inName, 'name');
        // A field whose name is personal data is reported at its parent, so the pointer never repeats it.
        const at = inName.length > 0 ? path : `${path}/${escapePointer(key)}`;
        if (typeof item === 'string' && ID_FIELDS.has(key)) add(at, detectPersonalDataInId(item), 'value');
        else stack.push({ value: item, path: at });
      }
    }
  }
  return findings.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The kinds of personal data a string looks like; empty when none. */
export function detectPersonalData(text: string): PersonalDataKind[] {
  // Every kind needs an '@' or a digit, and a string that is one UUID is an id: most strings of a request (names,
  // pages, placements, ids) are cleared without the scan.
  if (!MAY_HOLD_PERSONAL_DATA.test(text) || WHOLE_UUID.test(text)) return [];
  const kinds = new Set<PersonalDataKind>(scan(text));
  // Query-like parts hide '@' and '+' as %40 and %2B.
  if (text.includes('%')) for (const kind of scan(percentDecoded(text))) kinds.add(kind);
  return PERSONAL_DATA_KINDS.filter((kind) => kinds.has(kind));
}

const EMAIL =
  /[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}/g;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const WHOLE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAY_HOLD_PERSONAL_DATA = /[\d@]/;
const ISO_DATE_TIME =
  /\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?/g;
const IBAN_START = /(?<![A-Za-z0-9])([A-Za-z]{2})\d{2}/g;
/** Digit groups joined by one space, hyphen, dot or comma; a leading '+' is kept. */
const NUMBER_RUN = /\+?\d+(?:[ .,-]\d+)*/g;
/** Replaces what was found or cleared, with a character that joins nothing. */
const MASK = '#';

function scan(text: string): PersonalDataKind[] {
  const kinds: PersonalDataKind[] = [];
  let rest = text;
  if (rest.search(EMAIL) >= 0) kinds.push('email');
  rest = rest.replace(EMAIL, MASK).replace(UUID, MASK).replace(ISO_DATE_TIME, MASK);
  const withoutIbans = maskIbans(rest);
  if (withoutIbans !== rest) kinds.push('iban');
  for (const [run] of withoutIbans.matchAll(NUMBER_RUN)) kinds.push(...numberKinds(run));
  return kinds;
}

/**
 * The kinds a run of digit groups holds. Every stretch of whole groups is tried, so "ring 12345678 87654321" finds
 * both numbers; a stretch touching a dot or comma belongs to an amount or a decimal (1.500.000, 12345678.50) and is
 * left alone.
 */
function numberKinds(run: string): PersonalDataKind[] {
  const plus = run.startsWith('+');
  const groups = run.match(/\d+/g) ?? [];
  const separators = run.match(/[ .,-]/g) ?? [];
  const isAmountSeparator = (separator: string | undefined) => separator === '.' || separator === ',';
  const kinds: PersonalDataKind[] = [];
  for (let from = 0; from < groups.length; from++) {
    const left = from === 0 ? undefined : separators[from - 1];
    if (isAmountSeparator(left)) continue;
    for (let to = from; to < groups.length && to < from + 6; to++) {
      if (to > from && isAmountSeparator(separators[to - 1])) break;
      const right = to === groups.length - 1 ? undefined : separators[to];
      if (isAmountSeparator(right)) continue;
      const kind = kindOfNumber(groups.slice(from, to + 1), plus && from === 0);
      if (kind) kinds.push(kind);
    }
  }
  return kinds;
}

function kindOfNumber(groups: readonly string[], international: boolean): PersonalDataKind | null {
  const digits = groups.join('');
  const shape = groups.map((group) => group.length).join(',');
  // E.164: a country code and subscriber number, at most 15 digits; +45 is Denmark.
  if (international) return digits.length >= 8 && digits.length <= 15 ? 'phone' : null;
  if ((shape === '6,4' || shape === '10') && isCprDate(digits.slice(0, 6))) return 'cpr';
  // A registration number (4 digits) and an account number of up to 10 digits.
  if (/^4,(7|8|9|10)$/.test(shape) || shape === '14') return 'account';
  // Danish subscriber numbers have 8 digits and never start with 0 or 1.
  const danish = /^[2-9]/.test(digits) && digits.length === 8 && ['8', '4,4', '2,2,2,2'].includes(shape);
  if (danish) return 'phone';
  if (shape === '12' && /^0045[2-9]/.test(digits)) return 'phone';
  return null;
}

/** A CPR number starts with the birth date, DDMMYY. */
function isCprDate(ddmmyy: string): boolean {
  const day = Number(ddmmyy.slice(0, 2));
  const month = Number(ddmmyy.slice(2, 4));
  const year = Number(ddmmyy.slice(4, 6));
  if (month < 1 || month > 12 || day < 1) return false;
  const days = [31, year % 4 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
  return day <= days;
}

/** IBAN lengths by country (the SWIFT IBAN registry); the check digits must hold too. */
// biome-ignore format: a table reads better in rows
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28,
  CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18,
  GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32,
  LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24,
  PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28,
  TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

/** Masks every IBAN, written compact or in groups split by single spaces. */
function maskIbans(text: string): string {
  let result = text;
  for (const match of text.matchAll(IBAN_START)) {
    const start = match.index ?? 0;
    const length = IBAN_LENGTHS[(match[1] as string).toUpperCase()];
    if (length === undefined) continue;
    let compact = '';
    let end = start;
    while (end < text.length && compact.length < length) {
      const char = text[end] as string;
      if (/[A-Za-z0-9]/.test(char)) compact += char;
      else if (!(char === ' ' && compact.length >= 4 && /[A-Za-z0-9]/.test(text[end + 1] ?? ''))) break;
      end++;
    }
    if (compact.length !== length || /[A-Za-z0-9]/.test(text[end] ?? '')) continue;
    if (!ibanChecksumHolds(compact.toUpperCase())) continue;
    result = result.slice(0, start) + MASK.repeat(end - start) + result.slice(end);
  }
  return result;
}

/** ISO 13616: move the first four characters to the end, letters become 10..35, and the number mod 97 is 1. */
function ibanChecksumHolds(iban: string): boolean {
  let remainder = 0;
  for (const char of iban.slice(4) + iban.slice(0, 4)) {
    const value = /\d/.test(char) ? char : String(char.charCodeAt(0) - 55);
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

function percentDecoded(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
