/** CSV (RFC 4180): fields with a comma, a quote or a line break are quoted, quotes doubled, lines end in CRLF. */
export function toCsv(rows: ReadonlyArray<ReadonlyArray<string>>): string {
  const field = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  return rows.map((row) => row.map(field).join(',')).join('\r\n') + (rows.length > 0 ? '\r\n' : '');
}

/** A table's rows as staff see them: each header and cell's text, whitespace collapsed, the caption left out. */
export function tableRows(table: HTMLTableElement): string[][] {
  return Array.from(table.rows).map((row) =>
    Array.from(row.cells).map((cell) => (cell.textContent ?? '').replace(/\s+/g, ' ').trim()),
  );
}

/** A file name from a table's label: lower case, words joined by hyphens. */
export function csvFileName(label: string): string {
  const stem = label
    .toLowerCase()
    .replaceAll('ø', 'o')
    .replaceAll('æ', 'ae')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${stem || 'table'}.csv`;
}
