import { type ReactNode, useRef } from 'react';
import { csvFileName, tableRows, toCsv } from './csv.js';

/**
 * The console's table: it scrolls sideways inside its own box (a labelled region keyboard users can focus and
 * scroll with the arrow keys) instead of widening the page, and downloads as CSV exactly as it is shown.
 */
export function DataTable({
  label,
  children,
  className,
  testId,
  csv = true,
}: {
  /** Names the scrolling region and the CSV file; usually the caption's words. */
  readonly label: string;
  /** The table's caption, thead and tbody. */
  readonly children: ReactNode;
  readonly className?: string;
  readonly testId?: string;
  readonly csv?: boolean;
}) {
  const table = useRef<HTMLTableElement>(null);
  const download = () => {
    if (!table.current) return;
    const blob = new Blob([toCsv(tableRows(table.current))], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = csvFileName(label);
    document.body.append(link);
    link.click();
    link.remove();
    URL.revokeObjectURL(url);
  };
  return (
    <>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be focusable to scroll by keyboard */}
      <section className="table-box" aria-label={label} tabIndex={0}>
        <table ref={table} className={className} data-testid={testId}>
          {children}
        </table>
      </section>
      {csv && (
        <div className="table-tools">
          <button type="button" className="secondary" onClick={download} aria-label={`Download CSV: ${label}`}>
            Download CSV
          </button>
        </div>
      )}
    </>
  );
}
