import type { UsagePoint } from '@coffer/client'

/** What the chart draws: bytes out (downloads), bytes in (uploads), or requests. */
export type UsageMetric = 'bytesOut' | 'bytesIn' | 'requests'

const WIDTH = 640
const HEIGHT = 240
const PAD = { left: 64, right: 24, top: 12, bottom: 28 }
/** Colours come from the stylesheet (`.series-N`), light and dark; past 8 series they repeat. */
const PALETTE = 8

/** The `days` days that end today (UTC), oldest first, as `YYYY-MM-DD`. */
export function periodDays(days: number, now = Date.now()): string[] {
  return Array.from({ length: days }, (_, i) =>
    new Date(now - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10),
  )
}

/** Each series' values over `days` (0 on a day without traffic), biggest total first. */
export function seriesOf(points: UsagePoint[], days: string[], metric: UsageMetric) {
  const byName = new Map<string, number[]>()
  const index = new Map(days.map((day, i) => [day, i]))
  for (const point of points) {
    const at = index.get(point.day)
    if (at === undefined) continue
    const values = byName.get(point.series) ?? days.map(() => 0)
    values[at] = (values[at] ?? 0) + point[metric]
    byName.set(point.series, values)
  }
  return [...byName]
    .map(([name, values]) => ({ name, values, total: values.reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name))
}

/**
 * A line chart of traffic per day, one line per series, in plain SVG (no chart library: a few
 * lines and labels need none). `format` writes the axis's values for people.
 */
export function UsageChart(props: {
  days: string[]
  series: ReturnType<typeof seriesOf>
  format: (value: number) => string
  label: string
}) {
  const { days, series } = props
  const max = Math.max(1, ...series.flatMap((s) => s.values))
  const x = (i: number) =>
    PAD.left + (days.length < 2 ? 0 : (i * (WIDTH - PAD.left - PAD.right)) / (days.length - 1))
  const y = (v: number) => HEIGHT - PAD.bottom - (v / max) * (HEIGHT - PAD.top - PAD.bottom)
  const ticks = [0, max / 2, max]
  const labelled = [0, Math.floor((days.length - 1) / 2), days.length - 1]
  return (
    <figure className="usage-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={props.label}>
        {ticks.map((tick) => (
          <g key={tick} className="axis">
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} />
            <text x={PAD.left - 6} y={y(tick) + 4} textAnchor="end">
              {props.format(Math.round(tick))}
            </text>
          </g>
        ))}
        {labelled.map((i) => (
          <text key={i} className="axis" x={x(i)} y={HEIGHT - 8} textAnchor="middle">
            {days[i]?.slice(5)}
          </text>
        ))}
        {series.map((s, n) => (
          <g key={s.name} className={`series series-${n % PALETTE}`} data-series={s.name}>
            <polyline fill="none" points={s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ')} />
            {s.values.map((v, i) =>
              v > 0 ? (
                <circle key={days[i]} cx={x(i)} cy={y(v)} r={3}>
                  <title>{`${s.name}, ${days[i]}: ${props.format(v)}`}</title>
                </circle>
              ) : null,
            )}
          </g>
        ))}
      </svg>
      <figcaption>
        <ul className="legend">
          {series.map((s, n) => (
            <li key={s.name}>
              <span className={`swatch series-${n % PALETTE}`} aria-hidden="true" />
              {s.name}: {props.format(s.total)}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  )
}
