/** The targets, checked against a run's medians, and the Markdown tables of a run. */
import type { CaseResult, Sample } from './cases.ts'

/**
 * A target: a ratio of Coffer's median to a peer's (at least `min`), or a ceiling on a value. A ratio
 * without `min` is a reference (beside the bare Node server: what is Coffer's own cost), not a target.
 */
export interface Goal {
  id: string
  /** Which of the case's results (P5: 0 PUT, 1 GET; P6: 0 one large, 1 concurrent). */
  index: number
  coffer: string
  peer?: string
  min?: number
  max?: number
}

/** The bare Node file server's name in the tables (bench/peers/node.ts). */
const NODE = 'Node http (bare)'

export const GOALS: Goal[] = [
  { id: 'P1', index: 0, coffer: 'Coffer/fs', peer: 'nginx', min: 0.9 },
  { id: 'P2', index: 0, coffer: 'Coffer/fs', peer: 'nginx', min: 0.9 },
  { id: 'P3', index: 0, coffer: 'Coffer/fs', peer: 'nginx', min: 0.6 },
  { id: 'P3', index: 0, coffer: 'Coffer/fs', peer: 's3rver', min: 3 },
  { id: 'P3', index: 0, coffer: 'Coffer/fs', peer: 'Ceph RGW', min: 1 },
  { id: 'P4', index: 0, coffer: 'Coffer/fs', peer: 's3rver', min: 3 },
  { id: 'P4', index: 0, coffer: 'Coffer/fs', peer: 'Ceph RGW', min: 1 },
  { id: 'P5', index: 0, coffer: 'Coffer/S3→Ceph', peer: 'AWS SDK→Ceph', min: 0.85 },
  { id: 'P5', index: 1, coffer: 'Coffer/S3→Ceph', peer: 'AWS SDK→Ceph', min: 0.85 },
  { id: 'P1', index: 0, coffer: 'Coffer/fs', peer: NODE },
  { id: 'P2', index: 0, coffer: 'Coffer/fs', peer: NODE },
  { id: 'P3', index: 0, coffer: 'Coffer/fs', peer: NODE },
  { id: 'P4', index: 0, coffer: 'Coffer/fs', peer: NODE },
  { id: 'P6', index: 0, coffer: 'Coffer/fs', max: 150 },
  { id: 'P6', index: 1, coffer: 'Coffer/fs', max: 300 },
]

export interface GoalResult {
  id: string
  case: string
  target: string
  /** The ratio, or the value for a ceiling. */
  value: number
  /** Undefined for a reference ratio, which is no target. */
  met: boolean | undefined
  /** The same for the baseline build (`--baseline`), when it ran in this case. */
  before?: number
}

/** The name the baseline build of a Coffer target has in the tables. */
const BASELINE = 'Coffer/fs@baseline'

const num = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : '—'

function medianOf(result: CaseResult, target: string): Sample | undefined {
  return result.series.find((s) => s.target === target)?.median
}

/** Each goal whose case ran, with its ratio or value and whether it is met. */
export function checkGoals(results: CaseResult[]): GoalResult[] {
  const out: GoalResult[] = []
  for (const goal of GOALS) {
    const result = results.filter((r) => r.id === goal.id)[goal.index]
    if (!result) continue
    const coffer = medianOf(result, goal.coffer)?.[result.metric] ?? Number.NaN
    const baseline = goal.coffer === 'Coffer/fs' ? medianOf(result, BASELINE)?.[result.metric] : undefined
    if (goal.peer !== undefined) {
      const peer = medianOf(result, goal.peer)?.[result.metric] ?? Number.NaN
      const ratio = coffer / peer
      const target =
        goal.min === undefined
          ? `${goal.coffer} ÷ ${goal.peer} (reference)`
          : `${goal.coffer} ≥ ${goal.min}× ${goal.peer}`
      const row: GoalResult = {
        id: goal.id,
        case: result.title,
        target,
        value: ratio,
        met: goal.min === undefined ? undefined : ratio >= goal.min,
      }
      if (baseline !== undefined) row.before = baseline / peer
      out.push(row)
    } else {
      const target = `${goal.coffer} ≤ ${goal.max} ${result.unit}`
      out.push({ id: goal.id, case: result.title, target, value: coffer, met: coffer <= (goal.max ?? 0) })
    }
  }
  return out
}

function describe(result: CaseResult, median: Sample): string {
  if (result.id === 'P7' || result.id === 'P3' || result.id === 'P4') {
    const rate = `${num(median.rps ?? Number.NaN)} req/s`
    return result.id === 'P7'
      ? `p50 ${num(median.p50 ?? Number.NaN, 2)} ms · p99 ${num(median.p99 ?? Number.NaN, 2)} ms · ${rate}`
      : rate
  }
  if (result.id === 'P6') {
    const rest = Object.entries(median)
      .filter(([k]) => k !== 'peakRssMiB')
      .map(([k, v]) => `${k.replace('MiBps', '')} ${num(v)} MiB/s`.trim())
    return `${num(median.peakRssMiB ?? Number.NaN)} MiB (${rest.join(', ')})`
  }
  return `${num(median[result.metric] ?? Number.NaN)} ${result.unit}`
}

/** The run as Markdown: every median, then every target with its ratio and verdict. */
export function markdown(results: CaseResult[], goals: GoalResult[], rounds: number): string {
  const withBefore = goals.some((g) => g.before !== undefined)
  const lines = [
    `| id | case | server | median of ${rounds} rounds |`,
    '| --- | --- | --- | --- |',
    ...results.flatMap((r) =>
      r.series.map((s) => `| ${r.id} | ${r.title} | ${s.target} | ${describe(r, s.median)} |`),
    ),
    '',
    `| id | target | result |${withBefore ? ' baseline build |' : ''} met |`,
    `| --- | --- | --- |${withBefore ? ' --- |' : ''} --- |`,
    ...goals.map((g) => {
      const format = (v: number) => (g.target.includes('≤') ? `${num(v)} MiB` : `${num(v, 2)}×`)
      const before = withBefore ? ` ${g.before === undefined ? '' : format(g.before)} |` : ''
      return `| ${g.id} | ${g.target} (${g.case}) | ${format(g.value)} |${before} ${g.met === undefined ? '—' : g.met ? 'yes' : '**no**'} |`
    }),
  ]
  return lines.join('\n')
}
