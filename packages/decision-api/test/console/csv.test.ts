import { describe, expect, it } from 'vitest';
import { csvFileName, toCsv } from '../../src/console/csv.js';

describe('a console table as CSV (RFC 4180)', () => {
  it('quotes a field only when it holds a comma, a quote or a line break, doubling its quotes', () => {
    expect(
      toCsv([
        ['Offer', 'Impressions', 'Note'],
        ['car-loan-price', '1 204', 'plain'],
        ['Billån, 12 mdr.', '7', 'says "hi"'],
        ['two\nlines', '', 'cr\rhere'],
      ]),
    ).toBe(
      'Offer,Impressions,Note\r\ncar-loan-price,1 204,plain\r\n"Billån, 12 mdr.",7,"says ""hi"""\r\n"two\nlines",,"cr\rhere"\r\n',
    );
  });

  it('writes nothing for no rows', () => {
    expect(toCsv([])).toBe('');
  });

  it('names the file after the table', () => {
    expect(csvFileName('Offer KPIs for the period')).toBe('offer-kpis-for-the-period.csv');
    expect(csvFileName('Kunder pr. klynge – før og nu')).toBe('kunder-pr-klynge-for-og-nu.csv');
    expect(csvFileName('Års-økonomi: æbler')).toBe('ars-okonomi-aebler.csv');
    expect(csvFileName('…')).toBe('table.csv');
  });
});
