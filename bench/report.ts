/** The issues' targets, checked against a run's medians, and the Markdown tables of a run. */
import type { CaseResult, Sample } from './cases.ts'

/**
 * A target: a ratio of Coffer's median to a peer's, at least `min` or at most `max`, or a ceiling
 * `max` on a value (no peer). A ratio with neither is a reference (beside the bare Node servers: what
 * is Coffer's own cost), not a target.
 */
export interface Goal {
  id: string
  /** Which of the case's results (P5: 0 PUT, 1 GET; P6: 0 one large, 1 concurrent). */
  index: number
  coffer: string
  peer?: string
  /** The sample's metric to compare; default the case's own. */
  metric?: string
  min?: number
  max?: number
}

/** The bare Node servers' names in the tables (bench/peers/node.ts). */
const NODE = 'Node http (bare)'
const CEILING = 'Node http (4 KiB from memory)'
/** Coffer/fs reached through its S3 endpoint (bench/peers/coffer.ts). */
const S3_API = 'Coffer/fs S3 API'

/** Issue #8's targets, with P3, P4 and P7's as issue #17 set them on the pinned wrk harness. */
export const GOALS: Goal[] = [
  { id: 'P1', index: 0, coffer: 'Coffer/fs', peer: 'nginx', min: 0.9 },
  { id: 'P2', index: 0, coffer: 'Coffer/fs', peer: 'nginx', min: 0.9 },
  { id: 'P3', index: 0, coffer: 'Coffer/fs', peer: 'nginx', min: 0.5 },
  { id: 'P3', index: 0, coffer: 'Coffer/fs', peer: CEILING, min: 0.55 },
  { id: 'P3', index: 0, coffer: 'Coffer/fs', peer: 's3rver', min: 3 },
  { id: 'P3', index: 0, coffer: 'Coffer/fs', peer: 'Ceph RGW', min: 1 },
  { id: 'P4', index: 0, coffer: 'Coffer/fs', peer: NODE, min: 0.7 },
  { id: 'P4', index: 0, coffer: 'Coffer/fs', peer: 's3rver', min: 3 },
  { id: 'P4', index: 0, coffer: 'Coffer/fs', peer: 'Ceph RGW', min: 1 },
  { id: 'P7', index: 0, coffer: 'Coffer/fs', peer: 'nginx', metric: 'p99', max: 2 },
  { id: 'P5', index: 0, coffer: 'Coffer/S3→Ceph', peer: 'AWS SDK→Ceph', min: 0.85 },
  { id: 'P5', index: 1, coffer: 'Coffer/S3→Ceph', peer: 'AWS SDK→Ceph', min: 0.85 },
  { id: 'P1', index: 0, coffer: 'Coffer/fs', peer: NODE },
  { id: 'P2', index: 0, coffer: 'Coffer/fs', peer: NODE },
  { id: 'P3', index: 0, coffer: 'Coffer/fs', peer: NODE },
  { id: 'P4', index: 0, coffer: 'Coffer/fs', peer: 'Node http (bare, fsync)' },
  // Issue #18: the S3 endpoint beside the REST API, the same process and data.
  { id: 'P1', index: 0, coffer: S3_API, peer: 'Coffer/fs', min: 0.9 },
  { id: 'P2', index: 0, coffer: S3_API, peer: 'Coffer/fs', min: 0.9 },
  { id: 'P3', index: 0, coffer: S3_API, peer: 'Coffer/fs', min: 0.9 },
  { id: 'P4', index: 0, coffer: S3_API, peer: 'Coffer/fs', min: 0.9 },
  { id: 'P3', index: 0, coffer: S3_API, peer: 'Ceph RGW' },
  { id: 'P4', index: 0, coffer: S3_API, peer: 'Ceph RGW' },
  { id: 'P3', index: 0, coffer: S3_API, peer: 's3rver' },
  { id: 'P4', index: 0, coffer: S3_API, peer: 's3rver' },
  { id: 'P6', index: 0, coffer: 'Coffer/fs', max: 150 },
  { id: 'P6', index: 1, coffer: 'Coffer/fs', max: 300 },
]

export interface GoalResult {
  id: string
  case: string
  target: string
  /** The ratio, or the value for a ceiling. */
  value: number
  ratio: boolean
  /** Undefined for a reference ratio, which is no target. */
  met: boolean | undefined
  /** False when a run of either side had its client above the CPU limit: the verdict means nothing. */
  valid: boolean
  /** The same for the baseline build (`--baseline`), when it ran in this case. */
  before?: number
}

/** The name the baseline build of a Coffer target has in the tables. */
const BASELINE = 'Coffer/fs@baseline'

const num = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : '—'

type Series = CaseResult['series'][number]

/** The runs of a series whose client used more than `limit` % of its core. */
export function invalidRuns(series: Series, limit: number): number {
  return series.samples.filter((s) => (s.clientCpu ?? 0) > limit).length
}

function seriesOf(result: CaseResult, target: string): Series | undefined {
  return result.series.find((s) => s.target === target)
}

/**
 * Each goal whose case ran, with its ratio or value, whether it is met and whether that counts:
 * not when a client of either side used more than `limit` % of its core in a run.
 */
export function checkGoals(results: CaseResult[], limit: number): GoalResult[] {
  const out: GoalResult[] = []
  for (const goal of GOALS) {
    const result = results.filter((r) => r.id === goal.id)[goal.index]
    if (!result) continue
    const metric = goal.metric ?? result.metric
    const mine = seriesOf(result, goal.coffer)
    const coffer = mine?.median[metric] ?? Number.NaN
    const baseline = goal.coffer === 'Coffer/fs' ? seriesOf(result, BASELINE)?.median[metric] : undefined
    const peerSeries = goal.peer === undefined ? undefined : seriesOf(result, goal.peer)
    // A peer left out of the run (`--without`): no ratio to give.
    if (goal.peer !== undefined && peerSeries === undefined) continue
    const valid = [mine, peerSeries].every((s) => s === undefined || invalidRuns(s, limit) === 0)
    const verdict = (v: number) =>
      goal.min !== undefined ? v >= goal.min : goal.max !== undefined ? v <= goal.max : undefined
    if (goal.peer !== undefined) {
      const peer = peerSeries?.median[metric] ?? Number.NaN
      const ratio = coffer / peer
      const target =
        goal.min !== undefined
          ? `${goal.coffer} ≥ ${goal.min}× ${goal.peer}`
          : goal.max !== undefined
            ? `${goal.coffer} ${metric} ≤ ${goal.max}× ${goal.peer}'s`
            : `${goal.coffer} ÷ ${goal.peer} (reference)`
      const row: GoalResult = {
        id: goal.id,
        case: result.title,
        target,
        value: ratio,
        ratio: true,
        met: verdict(ratio),
        valid,
      }
      if (baseline !== undefined) row.before = baseline / peer
      out.push(row)
    } else {
      const target = `${goal.coffer} ≤ ${goal.max} ${result.unit}`
      out.push({
        id: goal.id,
        case: result.title,
        target,
        value: coffer,
        ratio: false,
        met: verdict(coffer),
        valid,
      })
    }
  }
  return out
}

function describe(result: CaseResult, median: Sample): string {
  if (result.id === 'P7' || result.id === 'P3' || result.id === 'P4') {
    const rate = `${num(median.rps ?? Number.NaN)} req/s`
    return result.id === 'P7'
      ? `p99 ${num(median.p99 ?? Number.NaN, 2)} ms · p50 ${num(median.p50 ?? Number.NaN, 2)} ms · ${rate}`
      : `${rate} · p99 ${num(median.p99 ?? Number.NaN, 2)} ms`
  }
  if (result.id === 'P6') {
    const rest = Object.entries(median)
      .filter(([k]) => k !== 'peakRssMiB')
      .map(([k, v]) => `${k.replace('MiBps', '')} ${num(v)} MiB/s`.trim())
    return `${num(median.peakRssMiB ?? Number.NaN)} MiB (${rest.join(', ')})`
  }
  return `${num(median[result.metric] ?? Number.NaN)} ${result.unit}`
}

/** The client's CPU over a series' runs (the highest), and whether that makes its figure invalid. */
function clientColumn(series: Series, limit: number): string {
  const cpus = series.samples.map((s) => s.clientCpu).filter((c): c is number => c !== undefined)
  if (cpus.length === 0) return '—'
  const bad = invalidRuns(series, limit)
  const most = `${num(Math.max(...cpus))}%`
  return bad === 0 ? most : `${most} · **invalid** (${bad} of ${cpus.length} runs > ${limit}%)`
}

/** Every run of every case whose client was measured: its figure and its client's CPU. */
function runsTable(results: CaseResult[], limit: number): string[] {
  const rows = results.flatMap((r) =>
    r.series.flatMap((s) =>
      s.samples
        .filter((sample) => sample.clientCpu !== undefined)
        .map((sample, i) => {
          const cpu = sample.clientCpu ?? 0
          const mark = cpu > limit ? ' **invalid**' : ''
          return `| ${r.id} | ${s.target} | ${i + 1} | ${describe(r, sample)} | ${num(cpu)}%${mark} |`
        }),
    ),
  )
  if (rows.length === 0) return []
  return ['', '| id | server | run | figure | client CPU |', '| --- | --- | --- | --- | --- |', ...rows]
}

/**
 * The run as Markdown: every median with its client's CPU, every target and verdict, every run;
 * figures from runs whose client used more than `limit` % of its core are marked invalid.
 */
export function markdown(results: CaseResult[], goals: GoalResult[], rounds: number, limit: number): string {
  const withBefore = goals.some((g) => g.before !== undefined)
  const lines = [
    `| id | case | server | median of ${rounds} rounds | client CPU (highest run) |`,
    '| --- | --- | --- | --- | --- |',
    ...results.flatMap((r) =>
      r.series.map(
        (s) =>
          `| ${r.id} | ${r.title} | ${s.target} | ${describe(r, s.median)} | ${clientColumn(s, limit)} |`,
      ),
    ),
    '',
    `| id | target | result |${withBefore ? ' baseline build |' : ''} met |`,
    `| --- | --- | --- |${withBefore ? ' --- |' : ''} --- |`,
    ...goals.map((g) => {
      const format = (v: number) => (g.ratio ? `${num(v, 2)}×` : `${num(v)} MiB`)
      const before = withBefore ? ` ${g.before === undefined ? '' : format(g.before)} |` : ''
      const met = g.met === undefined ? '—' : g.met ? 'yes' : '**no**'
      return `| ${g.id} | ${g.target} (${g.case}) | ${format(g.value)} |${before} ${g.valid ? met : `${met} (**invalid**: client-bound)`} |`
    }),
    ...runsTable(results, limit),
  ]
  return lines.join('\n')
}
