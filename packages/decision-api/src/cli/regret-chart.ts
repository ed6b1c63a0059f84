/**
 * A line chart of cumulative regret per day as a standalone SVG, written by hand (a few paths and labels need no
 * charting library).
 */
export interface RegretSeries {
  readonly name: string;
  readonly color: string;
  /** One value per day, cumulative. */
  readonly values: readonly number[];
}

export interface RegretChart {
  readonly title: string;
  readonly subtitle: string;
  readonly series: readonly RegretSeries[];
  /** A day to mark with a vertical line (the scenario's event), with its label. */
  readonly marker?: { readonly day: number; readonly label: string };
}

const WIDTH = 760;
const HEIGHT = 420;
const PAD = { left: 70, right: 140, top: 80, bottom: 48 };

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Words into lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** Round tick steps: 1, 2 or 5 times a power of ten, about five ticks over the range. */
function tickStep(range: number): number {
  const raw = range / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return (unit < 1.5 ? 1 : unit < 3.5 ? 2 : unit < 7.5 ? 5 : 10) * power;
}

export function regretChart(chart: RegretChart): string {
  const days = Math.max(1, ...chart.series.map((series) => series.values.length));
  const all = chart.series.flatMap((series) => series.values);
  const low = Math.min(0, ...all);
  const high = Math.max(1, ...all);
  const step = tickStep(high - low);
  const yMin = Math.floor(low / step) * step;
  const yMax = Math.ceil(high / step) * step;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (day: number) => PAD.left + (days <= 1 ? 0 : (day / (days - 1)) * plotW);
  const y = (value: number) => PAD.top + plotH - ((value - yMin) / (yMax - yMin)) * plotH;
  const f = (n: number) => n.toFixed(1);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" font-family="system-ui, sans-serif" font-size="12" role="img">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${PAD.left}" y="24" font-size="15" font-weight="600">${escapeXml(chart.title)}</text>`,
    ...wrap(chart.subtitle, 110)
      .slice(0, 2)
      .map((line, i) => `<text x="${PAD.left}" y="${42 + i * 15}" fill="#555">${escapeXml(line)}</text>`),
  ];
  for (let value = yMin; value <= yMax + step / 2; value += step) {
    parts.push(
      `<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${f(y(value))}" y2="${f(y(value))}" stroke="${value === 0 ? '#999' : '#e5e5e5'}"/>`,
      `<text x="${PAD.left - 8}" y="${f(y(value) + 4)}" text-anchor="end" fill="#555">${Math.round(value).toLocaleString('en-US')}</text>`,
    );
  }
  const dayStep = days > 40 ? 10 : 5;
  for (let day = 0; day < days; day += dayStep) {
    parts.push(`<text x="${f(x(day))}" y="${PAD.top + plotH + 18}" text-anchor="middle" fill="#555">${day}</text>`);
  }
  parts.push(
    `<text x="${PAD.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle" fill="#555">day</text>`,
    `<text x="18" y="${PAD.top + plotH / 2}" text-anchor="middle" fill="#555" transform="rotate(-90 18 ${PAD.top + plotH / 2})">cumulative regret (expected value)</text>`,
  );
  if (chart.marker) {
    const mx = f(x(chart.marker.day));
    parts.push(
      `<line x1="${mx}" x2="${mx}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="#888" stroke-dasharray="4 4"/>`,
      `<text x="${f(x(chart.marker.day) + 4)}" y="${PAD.top + 12}" fill="#555">${escapeXml(chart.marker.label)}</text>`,
    );
  }
  chart.series.forEach((series, i) => {
    const points = series.values.map((value, day) => `${f(x(day))},${f(y(value))}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${series.color}" stroke-width="2" points="${points}"/>`);
    const ly = PAD.top + 14 + i * 20;
    parts.push(
      `<line x1="${PAD.left + plotW + 16}" x2="${PAD.left + plotW + 36}" y1="${ly - 4}" y2="${ly - 4}" stroke="${series.color}" stroke-width="2"/>`,
      `<text x="${PAD.left + plotW + 42}" y="${ly}">${escapeXml(series.name)}</text>`,
    );
  });
  parts.push('</svg>', '');
  return parts.join('\n');
}
