import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  detectPersonalData,
  detectPersonalDataInId,
  findPersonalData,
  personalDataMessage,
} from '../../../src/domain/privacy/personal-data.js';

describe('recognising personal data in a string', () => {
  it.each([
    ['mette.hansen@example.dk', 'email'],
    ['contact=ole+bank@mail.example.com', 'email'],
    ['/profile?mail=ole%40example.dk', 'email'],
    ['ring 23456789', 'phone'],
    ['2345 6789', 'phone'],
    ['tlf: 23 45 67 89', 'phone'],
    ['+45 23456789', 'phone'],
    ['+4523456789', 'phone'],
    ['+45 23 45 67 89', 'phone'],
    ['0045 23456789', 'phone'],
    ['004523456789', 'phone'],
    ['+14155552671', 'phone'],
    ['+44 20 7946 0958', 'phone'],
    ['tel=%2B4523456789', 'phone'],
    ['010190-1234', 'cpr'],
    ['cpr 2902001234', 'cpr'],
    ['311299 1234', 'cpr'],
    ['DK5000400440116243', 'iban'],
    ['DK50 0040 0440 1162 43', 'iban'],
    ['iban: GB82 WEST 1234 5698 7654 32', 'iban'],
    ['de89370400440532013000', 'iban'],
    ['konto 1234 1234567890', 'account'],
    ['3001-7654321', 'account'],
    ['12341234567890', 'account'],
  ])('%s is %s', (text, kind) => {
    expect(detectPersonalData(text)).toContain(kind);
  });

  it.each([
    ['a UUID', '5b0c8c2e-3d0f-4a51-9a51-0d3f1b2c4d5e'],
    ['a UUID of digits', '12345678-1234-4234-8234-123456789012'],
    ['an ISO timestamp', '2026-11-22T10:15:00Z'],
    ['an ISO timestamp with offset and milliseconds', '2026-11-22T10:15:00.123+01:00'],
    ['an ISO date', '2026-11-22'],
    ['an amount', '250000'],
    ['an amount with thousands separators', '1.500.000'],
    ['a big amount with decimals', '12345678.50'],
    ['a Danish amount', '2.500.000,00 kr.'],
    ['an amount with spaces', '25 000 000'],
    ['a product slug', 'car_loan'],
    ['a slug with a year', 'mortgage-2026'],
    ['a page path', '/loans/car'],
    ['a deep page path', '/loans/car/apply/step-2'],
    ['a placement slug', 'dashboard-hero'],
    ['a time of day', '10:15:00'],
    ['a Unix time in milliseconds', '1795867200000'],
    ['a short number', '12345'],
    ['a 10-digit number that is no date', '9912345678'],
    ['a number starting with 1', '12345678'],
    ['an invalid IBAN checksum', 'DK5100400440116243'],
    ['an IP address', '192.168.10.12'],
    ['a version', '4.13.19'],
    ['plain words', 'Bil under 200.000 kr. på 5 år'],
    ['a percentage', '3,95 %'],
  ])('%s passes (%s)', (_name, text) => {
    expect(detectPersonalData(text)).toEqual([]);
  });

  it('names each kind found in one string once', () => {
    expect(detectPersonalData('mail ole@example.dk or call +45 23456789, ref 010190-1234')).toEqual([
      'email',
      'phone',
      'cpr',
    ]);
  });

  it('clears an id but not personal data written next to one', () => {
    expect(detectPersonalData('7d0b6f0e-3c1a-4c59-9a39-8e1f2b6a4d21')).toEqual([]);
    expect(detectPersonalData('7d0b6f0e-3c1a-4c59-9a39-8e1f2b6a4d21 +45 23456789')).toEqual(['phone']);
    expect(detectPersonalData('ole%40example.dk')).toEqual(['email']);
  });

  it('only accepts a CPR date that exists', () => {
    expect(detectPersonalData('300290-1234')).toEqual([]);
    expect(detectPersonalData('290200-1234')).toEqual(['cpr']);
    expect(detectPersonalData('011390-1234')).toEqual([]);
  });
});

describe('pseudonymous ids are keys, not free text', () => {
  it.each([
    ['eight digits starting 2–9 (a Danish phone number in free text)', '23456789'],
    ['a phone number’s groups', '2345-6789'],
    ['a registration and account number’s shape', '12345678901234'],
    ['ten digits that are no date', '9999999999'],
    ['a prefixed customer number', 'c-00042'],
  ])('an id of %s is not refused', (_, id) => {
    expect(detectPersonalDataInId(id)).toEqual([]);
  });

  it.each([
    ['a CPR number', '0101901234', 'cpr'],
    ['a CPR number with its hyphen', '010190-1234', 'cpr'],
    ['a CPR number inside a longer id', 'c-010190-1234', 'cpr'],
    ['an e-mail address', 'ole@example.dk', 'email'],
  ])('an id holding %s is refused', (_, id, kind) => {
    expect(detectPersonalDataInId(id)).toEqual([kind]);
  });

  it('judges customerId and anonymousId fields as ids, every other string as free text', () => {
    expect(
      findPersonalData({ customerId: '23456789', anonymousId: '23456789', site: '23456789', note: 'ring 23456789' }),
    ).toEqual([
      { path: '/note', kind: 'phone', in: 'value' },
      { path: '/site', kind: 'phone', in: 'value' },
    ]);
    expect(findPersonalData({ customerId: '0101901234', nested: { customerId: 'ole@example.dk' } })).toEqual([
      { path: '/customerId', kind: 'cpr', in: 'value' },
      { path: '/nested/customerId', kind: 'email', in: 'value' },
    ]);
  });

  it('an id field holding something else than a string is searched as before', () => {
    expect(findPersonalData({ customerId: { note: '23456789' } })).toEqual([
      { path: '/customerId/note', kind: 'phone', in: 'value' },
    ]);
  });
});

describe('finding personal data in a body', () => {
  it('names the field by JSON Pointer, in nested properties too', () => {
    const findings = findPersonalData(
      {
        id: '5b0c8c2e-3d0f-4a51-9a51-0d3f1b2c4d5e',
        page: '/customers/010190-1234',
        properties: { note: 'call 23456789', 'a/b': 'x@example.com', amount: 250000 },
      },
      '/touchpoints/3',
    );
    expect(findings).toEqual([
      { path: '/touchpoints/3/page', kind: 'cpr', in: 'value' },
      { path: '/touchpoints/3/properties/a~1b', kind: 'email', in: 'value' },
      { path: '/touchpoints/3/properties/note', kind: 'phone', in: 'value' },
    ]);
  });

  it('reports a field whose name is personal data at its parent, so the pointer never repeats it', () => {
    const findings = findPersonalData({ properties: { tlf23456789: 'yes' } });
    expect(findings).toEqual([{ path: '/properties', kind: 'phone', in: 'name' }]);
    expect(personalDataMessage(findings[0] as (typeof findings)[number])).toBe(
      'a field name here looks like a phone number; personal data is never accepted',
    );
  });

  it('never repeats the value in its message', () => {
    expect(personalDataMessage({ kind: 'email', in: 'value' })).toBe(
      'looks like an e-mail address; personal data is never accepted',
    );
  });

  it('walks a deeply nested value without running out of stack', () => {
    let value: unknown = 'ole@example.dk';
    for (let depth = 0; depth < 100_000; depth++) value = [value];
    expect(findPersonalData(value).map((finding) => finding.kind)).toEqual(['email']);
  });
});

const digits = (length: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: length, maxLength: length });
const digitString = (length: number) => digits(length).map((list) => list.join(''));

const email = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,15}$/),
    fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/),
    fc.constantFrom('dk', 'com', 'org', 'net', 'bank'),
  )
  .map(([local, domain, tld]) => `${local}@${domain}.${tld}`);

const danishPhone = fc
  .tuple(fc.integer({ min: 2, max: 9 }), digitString(7), fc.integer({ min: 0, max: 6 }))
  .map(([first, rest, form]) => {
    const n = `${first}${rest}`;
    const pairs = n.match(/\d\d/g)?.join(' ') ?? n;
    return [n, `${n.slice(0, 4)} ${n.slice(4)}`, pairs, `+45 ${n}`, `+45${n}`, `0045 ${n}`, `+45 ${pairs}`][
      form
    ] as string;
  });

const e164 = fc
  .tuple(
    fc.integer({ min: 1, max: 9 }),
    fc.integer({ min: 7, max: 14 }).chain((length) => digitString(length)),
  )
  .map(([first, rest]) => `+${first}${rest}`);

const cpr = fc
  .tuple(fc.date({ min: new Date('1900-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), digitString(4))
  .chain(([birth, serial]) =>
    fc.boolean().map((hyphen) => {
      const dd = String(birth.getUTCDate()).padStart(2, '0');
      const mm = String(birth.getUTCMonth() + 1).padStart(2, '0');
      const yy = String(birth.getUTCFullYear() % 100).padStart(2, '0');
      return `${dd}${mm}${yy}${hyphen ? '-' : ''}${serial}`;
    }),
  );

/** A valid IBAN of a few countries: the check digits computed as banks do. */
const iban = fc
  .tuple(fc.constantFrom(['DK', 14], ['DE', 18], ['NO', 11], ['FO', 14], ['SE', 20]), fc.boolean())
  .chain(([[country, bbanLength], grouped]) =>
    digitString(bbanLength as number).map((bban) => {
      const numeric = `${bban}${[...(country as string)].map((c) => c.charCodeAt(0) - 55).join('')}00`;
      let remainder = 0;
      for (const digit of numeric) remainder = (remainder * 10 + Number(digit)) % 97;
      const compact = `${country}${String(98 - remainder).padStart(2, '0')}${bban}`;
      return grouped ? (compact.match(/.{1,4}/g) ?? []).join(' ') : compact;
    }),
  );

const account = fc
  .tuple(
    digitString(4),
    fc.integer({ min: 7, max: 10 }).chain((length) => digitString(length)),
    fc.integer({ min: 0, max: 2 }),
  )
  .map(([reg, number, form]) => {
    const padded = number.padStart(10, '0');
    return [`${reg} ${number}`, `${reg}-${number}`, `${reg}${padded}`][form] as string;
  });

/** Surroundings: any text, then a separator a person would put around a number or an address. */
const embedded = (pii: fc.Arbitrary<string>) =>
  fc
    .tuple(
      fc.string(),
      fc.constantFrom(' ', ': ', '=', '/', '(', ' | ', '"'),
      pii,
      fc.constantFrom(' ', ')', ';', '&', '"', '/'),
      fc.string(),
    )
    .map(([before, open, value, close, after]) => ({ value, text: `${before}${open}${value}${close}${after}` }));

describe('generated personal data embedded in random strings', () => {
  it.each([
    ['an e-mail address', email, 'email'],
    ['a Danish phone number', danishPhone, 'phone'],
    ['an E.164 phone number', e164, 'phone'],
    ['a CPR number', cpr, 'cpr'],
    ['an IBAN', iban, 'iban'],
    ['a registration and account number', account, 'account'],
  ] as const)('%s is always caught', (_name, arbitrary, kind) => {
    fc.assert(
      fc.property(embedded(arbitrary), ({ text }) => {
        expect(detectPersonalData(text)).toContain(kind);
      }),
      { numRuns: 300 },
    );
  });
});
