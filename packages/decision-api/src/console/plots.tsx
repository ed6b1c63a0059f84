/** Plots drawn as SVG with presentation attributes and classes only: nothing the strict CSP would refuse. */

export interface IntervalRow {
  readonly label: string;
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

const WIDTH = 560;
const ROW = 36;
const LEFT = 150;
const RIGHT = 24;

/**
 * Estimates with their 95 % intervals on one axis around zero (no effect): a forest plot. The table beside it holds the
 * same numbers for screen readers; the SVG carries a title and a description.
 */
export function IntervalPlot({
  rows,
  title,
  format,
}: {
  rows: IntervalRow[];
  title: string;
  format(v: number): string;
}) {
  if (rows.length === 0) return null;
  const extent = Math.max(...rows.flatMap((r) => [Math.abs(r.low), Math.abs(r.high)]), 1e-6) * 1.15;
  const x = (value: number) => LEFT + ((value + extent) / (2 * extent)) * (WIDTH - LEFT - RIGHT);
  const height = rows.length * ROW + 34;
  const description = rows
    .map((r) => `${r.label}: ${format(r.estimate)}, from ${format(r.low)} to ${format(r.high)}`)
    .join('; ');
  return (
    <svg
      className="plot"
      viewBox={`0 0 ${WIDTH} ${height}`}
      role="img"
      aria-labelledby="plot-title plot-desc"
      data-testid="interval-plot"
    >
      <title id="plot-title">{title}</title>
      <desc id="plot-desc">{description}</desc>
      <line className="zero" x1={x(0)} x2={x(0)} y1={4} y2={height - 24} />
      {rows.map((row, i) => {
        const y = 20 + i * ROW;
        return (
          <g key={row.label} className={row.low > 0 ? 'above' : row.high < 0 ? 'below' : 'spans'}>
            <text x={LEFT - 10} y={y + 4} textAnchor="end" className="label">
              {row.label}
            </text>
            <line className="interval" x1={x(row.low)} x2={x(row.high)} y1={y} y2={y} />
            <line className="whisker" x1={x(row.low)} x2={x(row.low)} y1={y - 6} y2={y + 6} />
            <line className="whisker" x1={x(row.high)} x2={x(row.high)} y1={y - 6} y2={y + 6} />
            <circle className="estimate" cx={x(row.estimate)} cy={y} r={5} />
          </g>
        );
      })}
      <text x={x(-extent)} y={height - 6} className="axis">
        {format(-extent)}
      </text>
      <text x={x(0)} y={height - 6} textAnchor="middle" className="axis">
        0
      </text>
      <text x={x(extent)} y={height - 6} textAnchor="end" className="axis">
        {format(extent)}
      </text>
    </svg>
  );
}

/** Each arm's rate as a bar. */
export function RatePlot({
  rows,
  format,
}: {
  rows: Array<{ label: string; rate: number }>;
  format(v: number): string;
}) {
  const top = Math.max(...rows.map((r) => r.rate), 1e-6) * 1.1;
  const height = rows.length * ROW + 8;
  return (
    <svg className="plot" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label="Rate per arm">
      {rows.map((row, i) => {
        const y = 8 + i * ROW;
        const width = (row.rate / top) * (WIDTH - LEFT - RIGHT - 70);
        return (
          <g key={row.label}>
            <text x={LEFT - 10} y={y + 16} textAnchor="end" className="label">
              {row.label}
            </text>
            <rect
              className={i === 0 ? 'bar control' : 'bar'}
              x={LEFT}
              y={y + 2}
              width={Math.max(width, 1)}
              height={20}
            />
            <text x={LEFT + width + 6} y={y + 16} className="value">
              {format(row.rate)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
