/**
 * The insight pages' charts, hand-drawn SVG like plots.tsx: presentation attributes and classes only, so the console's
 * strict CSP (style-src 'self') has nothing to refuse. Each chart has a title and a description, and the page beside it
 * holds the same numbers as a table for screen readers.
 */

import { useId } from 'react';

const WIDTH = 640;

export interface Series {
  readonly key: string;
  readonly label: string;
  readonly values: readonly (number | null)[];
}

/** Lines over time: one per series, days along the x axis, a shared y axis from zero. */
export function LineChart({
  title,
  days,
  series,
  format,
  testId,
  floor = 0,
}: {
  title: string;
  days: readonly string[];
  series: readonly Series[];
  format(value: number): string;
  testId?: string;
  /** The least the y axis reaches, so whole counts never get a tick between 0 and 1. */
  floor?: number;
}) {
  const id = useId();
  const height = 240;
  const left = 64;
  const right = 28;
  const top = 12;
  const bottom = 40;
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const high = Math.max(...values, floor) || 1;
  const x = (i: number) => left + (days.length <= 1 ? 0 : (i / (days.length - 1)) * (WIDTH - left - right));
  const y = (v: number) => top + (1 - v / high) * (height - top - bottom);
  const description = series
    .map((s) => {
      const total = s.values.reduce<number>((sum, v) => sum + (v ?? 0), 0);
      const last = s.values.at(-1);
      return `${s.label}: ${format(total)} in all, ${last === null || last === undefined ? 'none' : format(last)} on the last day`;
    })
    .join('; ');
  const ticks = [0, 0.5, 1].map((share) => share * high);
  const labelEvery = Math.max(1, Math.ceil(days.length / 7));
  return (
    <figure className="chart">
      <svg
        className="plot line-chart"
        viewBox={`0 0 ${WIDTH} ${height}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        data-testid={testId}
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        {ticks.map((tick) => (
          <g key={tick}>
            <line className="grid" x1={left} x2={WIDTH - right} y1={y(tick)} y2={y(tick)} />
            <text className="axis" x={left - 6} y={y(tick) + 4} textAnchor="end">
              {format(tick)}
            </text>
          </g>
        ))}
        {days.map((day, i) =>
          i % labelEvery === 0 || i === days.length - 1 ? (
            <text key={day} className="axis" x={x(i)} y={height - bottom + 18} textAnchor="middle">
              {day.slice(5)}
            </text>
          ) : null,
        )}
        {series.map((s, index) => {
          const points = s.values
            .map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`))
            .filter((p): p is string => p !== null);
          return (
            <g key={s.key} className={`series series-${index}`}>
              <polyline className="line" points={points.join(' ')} />
              {points.length === 1 ? (
                <circle className="dot" cx={points[0]?.split(',')[0]} cy={points[0]?.split(',')[1]} r={3} />
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption className="legend">
        {series.map((s, index) => (
          <span key={s.key} className={`key series-${index}`}>
            <svg viewBox="0 0 16 4" className="swatch" aria-hidden="true">
              <line x1={0} x2={16} y1={2} y2={2} />
            </svg>
            {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** Vertical bars, one per category: the contact-pressure distribution. */
export function ColumnChart({
  title,
  bars,
  testId,
}: {
  title: string;
  bars: ReadonlyArray<{ label: string; value: number; highlight?: boolean }>;
  testId?: string;
}) {
  const id = useId();
  const height = 200;
  const left = 16;
  const bottom = 40;
  const top = 20;
  const high = Math.max(...bars.map((b) => b.value), 0) || 1;
  const step = (WIDTH - left * 2) / Math.max(1, bars.length);
  return (
    <svg
      className="plot column-chart"
      viewBox={`0 0 ${WIDTH} ${height}`}
      role="img"
      aria-labelledby={`${id}-title ${id}-desc`}
      data-testid={testId}
    >
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>{bars.map((b) => `${b.label}: ${b.value}`).join('; ')}</desc>
      {bars.map((bar, i) => {
        const barHeight = (bar.value / high) * (height - top - bottom);
        const x = left + i * step + step * 0.15;
        return (
          <g key={bar.label}>
            <rect
              className={bar.highlight ? 'bar capped' : 'bar'}
              x={x}
              y={height - bottom - barHeight}
              width={step * 0.7}
              height={Math.max(barHeight, bar.value > 0 ? 1 : 0)}
            />
            <text className="value" x={x + step * 0.35} y={height - bottom - barHeight - 4} textAnchor="middle">
              {bar.value.toLocaleString('en')}
            </text>
            <text className="axis" x={x + step * 0.35} y={height - bottom + 18} textAnchor="middle">
              {bar.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/**
 * Features × clusters, each cell coloured by the cluster's centre in standard deviations from the population mean:
 * blue above, orange below, white at the mean. Cells carry their value as a tooltip title.
 */
export function HeatMap({
  title,
  rows,
  columns,
  values,
  testId,
}: {
  title: string;
  rows: readonly string[];
  columns: readonly string[];
  /** values[row][column] */
  values: readonly (readonly number[])[];
  testId?: string;
}) {
  const id = useId();
  const left = 230;
  const top = 56;
  const cell = 26;
  const cellWidth = Math.max(44, Math.min(90, (WIDTH + 120 - left) / Math.max(1, columns.length)));
  const width = left + cellWidth * columns.length + 8;
  const height = top + cell * rows.length + 8;
  return (
    <svg
      className="plot heat-map"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-labelledby={`${id}-title ${id}-desc`}
      data-testid={testId}
    >
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>
        Rows are features, columns clusters; blue is above the bank’s average, orange below, in standard deviations. The
        table under the map holds the same numbers.
      </desc>
      {columns.map((column, c) => (
        <text key={column} className="label" x={left + c * cellWidth + cellWidth / 2} y={top - 10} textAnchor="middle">
          {column.length > 12 ? `${column.slice(0, 11)}…` : column}
        </text>
      ))}
      {rows.map((row, r) => (
        <g key={row}>
          <text className="label" x={left - 8} y={top + r * cell + cell / 2 + 4} textAnchor="end">
            {row}
          </text>
          {columns.map((column, c) => {
            const value = values[r]?.[c] ?? 0;
            return (
              <g key={column}>
                <rect
                  x={left + c * cellWidth}
                  y={top + r * cell}
                  width={cellWidth - 2}
                  height={cell - 2}
                  fill={divergingColour(value)}
                >
                  <title>{`${row}, ${column}: ${signed(value)} sd`}</title>
                </rect>
                <text
                  className="cell-value"
                  fill={inkOn(value)}
                  x={left + c * cellWidth + (cellWidth - 2) / 2}
                  y={top + r * cell + cell / 2 + 4}
                  textAnchor="middle"
                >
                  {signed(value)}
                </text>
              </g>
            );
          })}
        </g>
      ))}
    </svg>
  );
}

export const signed = (value: number, digits = 1) => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;

/** White at 0, towards dark blue above and dark orange below, saturating at ±2.5 sd. */
export function divergingColour(value: number): string {
  const t = Math.min(1, Math.abs(value) / 2.5);
  const [r, g, b] = value >= 0 ? [26, 77, 143] : [176, 74, 8];
  const mix = (end: number) => Math.round(255 + (end - 255) * t);
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}

/** Black or white, whichever reads on the cell's colour (contrast at least 4.5:1 either way). */
export function inkOn(value: number): string {
  const channels = /rgb\((\d+), (\d+), (\d+)\)/.exec(divergingColour(value))?.slice(1).map(Number) ?? [255, 255, 255];
  const [r, g, b] = channels.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return luminance < 0.18 ? '#ffffff' : '#000000';
}

/**
 * Points on a plane: the cluster centres' projection. Each circle's area follows the cluster's size; labels sit beside
 * the circles.
 */
export function Scatter({
  title,
  points,
  xLabel,
  yLabel,
  testId,
}: {
  title: string;
  points: ReadonlyArray<{ id: string; label: string; x: number; y: number; size: number }>;
  xLabel: string;
  yLabel: string;
  testId?: string;
}) {
  const id = useId();
  const height = 360;
  const pad = 56;
  const extentX = Math.max(...points.map((p) => Math.abs(p.x)), 1e-6) * 1.2;
  const extentY = Math.max(...points.map((p) => Math.abs(p.y)), extentX * 0.25, 1e-6) * 1.2;
  const sx = (v: number) => pad + ((v + extentX) / (2 * extentX)) * (WIDTH - 2 * pad);
  const sy = (v: number) => pad / 2 + (1 - (v + extentY) / (2 * extentY)) * (height - pad * 1.5);
  const largest = Math.max(...points.map((p) => p.size), 1);
  return (
    <svg
      className="plot scatter"
      viewBox={`0 0 ${WIDTH} ${height}`}
      role="img"
      aria-labelledby={`${id}-title ${id}-desc`}
      data-testid={testId}
    >
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>
        {points.map((p) => `${p.label} at (${p.x.toFixed(2)}, ${p.y.toFixed(2)}), ${p.size} customers`).join('; ')}
      </desc>
      <line className="zero" x1={sx(0)} x2={sx(0)} y1={pad / 4} y2={height - pad} />
      <line className="zero" x1={pad / 2} x2={WIDTH - pad / 2} y1={sy(0)} y2={sy(0)} />
      {points.map((p, i) => {
        const r = 6 + 22 * Math.sqrt(p.size / largest);
        return (
          <g key={p.id} className={`cluster-point series-${i % 6}`}>
            <circle cx={sx(p.x)} cy={sy(p.y)} r={r} />
            <text className="label" x={sx(p.x) + r + 4} y={sy(p.y) + 4}>
              {p.label}
            </text>
          </g>
        );
      })}
      <text className="axis" x={WIDTH / 2} y={height - pad / 2 + 8} textAnchor="middle">
        {xLabel}
      </text>
      <text className="axis" x={14} y={height / 2} textAnchor="middle" transform={`rotate(-90 14 ${height / 2})`}>
        {yLabel}
      </text>
    </svg>
  );
}
