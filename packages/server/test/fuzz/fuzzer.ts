import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { adminCase, bucketCase, rawCase } from './admin-cases.ts'
import { FuzzTarget } from './fuzz-target.ts'
import { checkExchange, describeRequest, describeResponse, generalize, type Violation } from './invariants.ts'
import { collectionCase, objectCase } from './object-cases.ts'
import type { Plan, Step } from './plan.ts'
import { s3Case } from './s3-cases.ts'
import { formCase, tusCase } from './upload-cases.ts'
import { closeConnections, type Exchange, headerOf } from './wire.ts'

/** How long and what to fuzz. */
export interface FuzzOptions {
  /** fast-check's seed: the same seed generates the same cases. */
  seed: number
  /** Most cases (each one to a dozen requests). */
  runs: number
  /** Most seconds; the run stops after the case in flight. */
  seconds: number
  /** Replays one case: the number a failure report names (fast-check's path). */
  path?: string
  /** Where progress and failures go as they happen; every exchange too when replaying. */
  log?: (line: string) => void
  /** Which cases: all (the default), only the REST API's and tus's, or only the S3 endpoint's. */
  only?: 'api' | 's3'
  /**
   * Whether cases may write one key from several requests at once (S3 and REST writes, multipart
   * completions side by side); default true. After such races the index must describe what the
   * store holds (see `KeyWrites`).
   */
  races?: boolean
}

/** Failures with the same route, broken invariant and (generalised) message: most likely one bug. */
export interface FailureGroup {
  route: string
  invariant: string
  message: string
  count: number
  /** The first case that showed it: how to replay it, and what was sent and answered. */
  first: { replay: string; step: number; request: string; response: string; extra?: string }
}

/** What a run did and found. */
export interface FuzzReport {
  seed: number
  cases: number
  requests: number
  restarts: number
  failures: FailureGroup[]
  /** How many answers each route gave with each status (`no answer` when none): what the run reached. */
  statuses: Record<string, number>
}

const apiCases = [
  { weight: 5, arbitrary: objectCase },
  { weight: 3, arbitrary: collectionCase },
  { weight: 2, arbitrary: formCase },
  { weight: 3, arbitrary: tusCase },
  { weight: 1, arbitrary: bucketCase },
  { weight: 2, arbitrary: adminCase },
  { weight: 1, arbitrary: rawCase },
]

/** A case of one to three plans of the given kinds, one after the other. */
const caseOf = (kinds: Array<{ weight: number; arbitrary: fc.Arbitrary<Plan> }>): fc.Arbitrary<Plan> =>
  fc.array(fc.oneof(...kinds), { minLength: 1, maxLength: 3 }).map((plans) => plans.flat())

/** The cases: mostly requests on objects, then uploads, the S3 endpoint, admin JSON and malformed HTTP. */
export const anyCase: fc.Arbitrary<Plan> = caseOf([...apiCases, { weight: 6, arbitrary: s3Case }])

/** The cases of `only`. */
export function casesOf(only: FuzzOptions['only'], races = true): fc.Arbitrary<Plan> {
  const cases =
    only === undefined
      ? anyCase
      : only === 's3'
        ? caseOf([{ weight: 1, arbitrary: s3Case }])
        : caseOf(apiCases)
  return races ? cases : cases.filter((plan) => !plan.some(writesOneKeyAtOnce))
}

/** Whether an op sends, side by side, requests that write the same object (see `races`). */
function writesOneKeyAtOnce(op: Plan[number]): boolean {
  if (!('parallel' in op)) return false
  const writes = op.parallel.flat().filter((step) => step.mirror !== undefined && step.mirror.op !== 'read')
  return new Set(writes.map((step) => step.mirror?.object)).size < writes.length
}

/** A fresh service after this many cases, so that a long run checks the index against the store often. */
const CASES_PER_SERVICE = 300
const PLACEHOLDER = /\{(token:[\w-]+|case|upload0?|offset|signed|stored|s3upload|s3token|etag\d)\}/g

/** The state of one case: the placeholders' values, and whether the service broke. */
interface CaseState {
  index: number
  vars: Map<string, string>
  step: number
  broken?: string
  /** What the case last wrote to each object (a SHA-256, null once deleted); absent when not known. */
  written: Map<string, string | null>
  /** What the last read of each object showed since it was last written (`200 <sha256>`, `404`). */
  seen: Map<string, string>
}

/** Fills a text's placeholders; undefined when one has no value yet (its step is skipped). */
function fill(text: string, vars: Map<string, string>): string | undefined {
  let missing = false
  const filled = text.replace(PLACEHOLDER, (_, name: string) => {
    const value = vars.get(name)
    if (value === undefined) missing = true
    return value ?? ''
  })
  return missing ? undefined : filled
}

function resolve(step: Step, vars: Map<string, string>): Step | undefined {
  const target = fill(step.target, vars)
  const headers = step.headers.map(([n, v]): [string, string | undefined] => [n, fill(v, vars)])
  if (target === undefined || headers.some(([, v]) => v === undefined)) return undefined
  const resolved: Step = { ...step, target, headers: headers as Array<[string, string]> }
  if (step.raw) {
    const raw = fill(step.raw.toString('latin1'), vars)
    if (raw === undefined) return undefined
    resolved.raw = Buffer.from(raw, 'latin1')
  }
  // In a body a missing value is sent as an ETag no part has (an XML document still goes).
  if (step.body?.includes('{')) {
    const text = step.body
      .toString('latin1')
      .replace(PLACEHOLDER, (_, name: string) => vars.get(name) ?? '"none"')
    resolved.body = Buffer.from(text, 'latin1')
  }
  const post = step.s3?.post
  if (step.s3 && post) resolved.s3 = { ...step.s3, post: { ...post, key: fill(post.key, vars) ?? post.key } }
  if (step.mirror) resolved.mirror = { ...step.mirror, object: fill(step.mirror.object, vars) ?? '' }
  return resolved
}

/** Remembers what later steps of the case refer to: upload ids, offsets, signed URLs. */
function capture(step: Step, exchange: Exchange, vars: Map<string, string>): void {
  const response = exchange.response
  if (!response) return
  const location = headerOf(response, 'location')
  if (step.method === 'POST' && step.route === 'POST /v1/uploads' && response.status === 201 && location) {
    const id = location.split('?')[0]?.split('/').pop() ?? ''
    if (!vars.has('upload0')) vars.set('upload0', id)
    vars.set('upload', id)
  }
  // The key a tus upload stores to, as a URL path (percent-encoded, or raw UTF-8 sent as Latin-1).
  const stored = headerOf(response, 'x-coffer-key')
  if (step.route.includes('/v1/uploads') && stored !== undefined) {
    const key = stored.includes('%') ? stored : Buffer.from(stored, 'latin1').toString('utf8')
    vars.set('stored', key.includes('%') ? key : key.split('/').map(encodeURIComponent).join('/'))
  }
  if (step.listener === 's3' && response.status === 200) {
    const upload = /<UploadId>([^<]+)<\/UploadId>/.exec(response.body.toString('utf8'))?.[1]
    if (step.route === 'S3 CreateMultipartUpload' && upload) vars.set('s3upload', upload)
    const part = /[?&]partNumber=([1-9])(&|$)/.exec(step.target)?.[1]
    const etag =
      headerOf(response, 'etag') ?? /<ETag>([^<]+)<\/ETag>/.exec(response.body.toString('utf8'))?.[1]
    // The next page's token, percent-encoded for the query it goes back into.
    const next = /<Next(?:ContinuationToken|Marker)>([^<]+)<\/Next/.exec(response.body.toString('utf8'))?.[1]
    if (next) vars.set('s3token', encodeURIComponent(next.replaceAll('&amp;', '&')))
    if (part && etag && step.route.startsWith('S3 UploadPart'))
      vars.set(`etag${part}`, etag.replaceAll('&quot;', '"'))
  }
  const offset = headerOf(response, 'upload-offset')
  if (offset !== undefined) vars.set('offset', offset)
  if (step.route.endsWith('/sign') && response.status === 200) {
    const url = new URL((JSON.parse(response.body.toString('utf8')) as { url: string }).url)
    vars.set('signed', `${url.pathname}${url.search}`)
  }
}

const sha256 = (data: Buffer | undefined) =>
  createHash('sha256')
    .update(data ?? Buffer.alloc(0))
    .digest('hex')

/**
 * Follows what a step did to the object it names, and checks a read against it: what the case last
 * wrote (a failed write leaves the old object), else what the previous read of the object showed
 * (S3 and the REST API serve the same bytes).
 */
function mirror(
  step: Step,
  exchange: Exchange,
  meant: Buffer | undefined,
  state: CaseState,
): Violation | undefined {
  const m = step.mirror
  if (!m) return undefined
  const status = exchange.response?.status
  if (m.op !== 'read') {
    state.seen.delete(m.object)
    const ok = status !== undefined && status >= 200 && status < 300
    if (ok && m.op === 'write') state.written.set(m.object, sha256(meant))
    else if (ok && m.op === 'delete') state.written.set(m.object, null)
    // A change this side cannot follow, or a write whose fate is unknown (no answer, not cut short).
    else if (ok || (status === undefined && step.cutAt === undefined)) state.written.delete(m.object)
    return undefined
  }
  if (status !== 200 && status !== 404) return undefined
  const shown = status === 200 ? `200 ${sha256(exchange.response?.body)}` : '404'
  const written = state.written.get(m.object)
  const expected = written === undefined ? undefined : written === null ? '404' : `200 ${written}`
  const earlier = state.seen.get(m.object)
  state.seen.set(m.object, shown)
  const short = (text: string) => text.slice(0, 12)
  if (expected !== undefined && expected !== shown)
    return {
      invariant: 'a read differs from the last write',
      message: `${short(expected)} written, ${short(shown)} read`,
    }
  if (expected === undefined && earlier !== undefined && earlier !== shown)
    return { invariant: 'S3 and the REST API disagree', message: `${short(earlier)} then ${short(shown)}` }
  return undefined
}

/** Runs cases against a real Coffer and groups the failures they find. */
export class Fuzzer {
  #target: FuzzTarget | undefined
  #casesOnTarget = 0
  readonly #groups = new Map<string, FailureGroup>()
  readonly report: FuzzReport
  readonly options: FuzzOptions

  constructor(options: FuzzOptions) {
    this.options = options
    this.report = { seed: options.seed, cases: 0, requests: 0, restarts: 0, failures: [], statuses: {} }
  }

  /** The options that pick the cases, as `npm run test:fuzz` takes them (a replay needs them). */
  get #selection(): string {
    return `${this.options.only ? ` --only ${this.options.only}` : ''}${this.options.races === false ? ' --no-races' : ''}`
  }

  #log(line: string): void {
    this.options.log?.(line)
  }

  /** Puts `{token:<role>}` back for the fixtures' tokens, which differ from one service to the next. */
  #hideTokens(text: string, vars: Map<string, string>): string {
    let hidden = text
    for (const [name, value] of vars)
      if (name.startsWith('token:')) hidden = hidden.replaceAll(value, `{${name}}`)
    return hidden
  }

  /** Records a failure in its group; the first of a group is logged as it happens. */
  #record(
    state: CaseState,
    violation: Violation,
    step: Step,
    exchange: Exchange | undefined,
    extra?: string,
  ): void {
    const key = `${step.route}\n${violation.invariant}\n${violation.message}`
    const group = this.#groups.get(key)
    if (group) {
      group.count += 1
      return
    }
    // Found between cases (reconcile at a service's end): only the run up to here shows it again.
    const replay = state.index < 0 ? `--runs ${this.report.cases}` : `--path ${state.index}`
    const first = {
      replay: `--seed ${this.options.seed}${this.#selection} ${replay}`,
      step: state.step,
      request: describeRequest(step, (text) => this.#hideTokens(text, state.vars)),
      response: exchange ? describeResponse(exchange) : '',
      ...(extra === undefined ? {} : { extra }),
    }
    this.#groups.set(key, { route: step.route, ...violation, count: 1, first })
    this.#log(`FAILURE ${violation.invariant} on ${step.route}: ${violation.message} (${first.replay})`)
  }

  async #sequence(steps: Step[], state: CaseState, target: FuzzTarget): Promise<void> {
    for (const planned of steps) {
      if (state.broken) return
      state.step += 1
      const resolved = resolve(planned, state.vars)
      if (!resolved) continue
      // What a write means to store: the body before aws-chunked framing (one byte less when the
      // Content-Length says so, which an unhashed body cannot tell from a shorter one).
      // A form's last byte is its closing boundary's, not the file's; a 1-byte body is sent whole.
      const short =
        resolved.s3?.tamper === 'length-short' &&
        resolved.s3.how !== 'post' &&
        (resolved.body?.length ?? 0) > 1
      const meant = short ? resolved.body?.subarray(0, -1) : resolved.body
      const step = resolved.s3 ? await target.signS3(resolved, resolved.s3) : resolved
      const failedBefore = target.coffer.failedRequests().count
      const exchange = await target.send(step)
      this.report.requests += 1
      // An S3 error's code too (`403:SignatureDoesNotMatch`): which checks the cases got past.
      const code =
        step.listener === 's3'
          ? /<Code>(\w+)<\/Code>/.exec(exchange.response?.body.toString('utf8') ?? '')?.[1]
          : undefined
      const status = `${exchange.response?.status ?? 'no answer'}${code === undefined ? '' : `:${code}`}`
      const seen = `${step.route.startsWith('RAW') ? 'RAW' : step.route} ${status}`
      this.report.statuses[seen] = (this.report.statuses[seen] ?? 0) + 1
      if (this.options.path !== undefined) {
        this.#log(
          `#${state.step} ${describeRequest(step, (t) => this.#hideTokens(t, state.vars))}\n  -> ${describeResponse(exchange)}`,
        )
      }
      capture(step, exchange, state.vars)
      const mismatch = mirror(step, exchange, meant, state)
      if (mismatch) this.#record(state, mismatch, step, exchange)
      const dead = await target.alive()
      // No answer from a process that died: its death is the failure (reported below), not this.
      const violations = !exchange.response && dead ? [] : checkExchange(step, exchange, target.secrets)
      for (const violation of violations) {
        // A 5xx's cause is in the service's log (logged as the response ends, read after /healthz).
        const cause = (violation.status ?? 0) >= 500 ? await target.failureCause(failedBefore) : undefined
        if (cause !== undefined)
          violation.message += ` — logged cause ${generalize(cause.replace(/"/g, "'"))}`
        this.#record(state, violation, step, exchange, cause)
      }
      if (dead) {
        const tail = target.coffer.stderr().slice(-1500) || target.coffer.stdout().slice(-1500)
        // The uncaught error's line (`Error: ENOENT: …, open '<path>'`) tells one crash from another.
        const thrown = /^\w*Error: .*$/m.exec(tail)?.[0].replaceAll(target.coffer.root, '<root>') ?? ''
        const message = generalize(`${dead}; ${thrown.replace(/'[^']*'/g, '…')}`)
        this.#record(state, { invariant: 'the service died', message }, step, exchange, tail)
        state.broken = dead
        return
      }
      const outside = target.writtenOutside()
      if (outside) {
        this.#record(
          state,
          { invariant: 'written outside the data dir', message: generalize(outside) },
          step,
          exchange,
          outside,
        )
        state.broken = 'written outside the data dir'
      }
    }
  }

  /** The service still serves the listings every client needs (a bad row must not break them). */
  async #stillServes(state: CaseState, target: FuzzTarget): Promise<void> {
    for (const path of ['/v1/buckets', '/v1/usage']) {
      const step: Step = {
        route: `GET ${path}`,
        method: 'GET',
        target: path,
        transport: 'http',
        headers: [['Authorization', `Bearer ${target.tokens.get('admin')}`]],
      }
      const failedBefore = target.coffer.failedRequests().count
      const exchange = await target.send(step)
      const response = exchange.response
      if (response?.status === 200) continue
      const cause = response && response.status >= 500 ? await target.failureCause(failedBefore) : undefined
      const said = `${response?.status ?? exchange.error}${cause === undefined ? '' : ` — logged cause ${cause}`}`
      this.#record(
        state,
        {
          invariant: 'the service stays broken after this case',
          message: generalize(said.replace(/"/g, "'")),
        },
        step,
        exchange,
      )
      state.broken = 'persistent breakage'
      return
    }
  }

  /** Runs one case; returns how many failures it showed. */
  async runCase(plan: Plan, index: number): Promise<number> {
    if (!this.#target) {
      this.#target = await FuzzTarget.start()
      this.#casesOnTarget = 0
    }
    const target = this.#target
    const before = [...this.#groups.values()].reduce((n, g) => n + g.count, 0)
    const vars = new Map([...target.tokens].map(([role, token]) => [`token:${role}`, token]))
    vars.set('case', String(index))
    const state: CaseState = { index, vars, step: 0, written: new Map(), seen: new Map() }
    for (const op of plan) {
      if (state.broken) break
      if ('parallel' in op)
        await Promise.all(op.parallel.map((steps) => this.#sequence(steps, state, target)))
      else await this.#sequence([op], state, target)
    }
    if (!state.broken) await this.#stillServes(state, target)
    this.report.cases += 1
    this.#casesOnTarget += 1
    if (state.broken || this.#casesOnTarget >= CASES_PER_SERVICE) await this.retire(state)
    return [...this.#groups.values()].reduce((n, g) => n + g.count, 0) - before
  }

  /** Reconcile, run at a service's end, finds nothing to repair: the index agrees with the store. */
  async #indexAgrees(state: CaseState, target: FuzzTarget): Promise<void> {
    const step: Step = {
      route: 'POST /v1/reconcile',
      method: 'POST',
      target: '/v1/reconcile',
      headers: [],
      transport: 'http',
    }
    let report: Record<string, unknown>
    try {
      report = (await target.admin('POST', '/v1/reconcile', {}, 200)) as Record<string, unknown>
    } catch (error) {
      const message = generalize((error as Error).message.replaceAll(target.coffer.root, '<root>'))
      this.#record(state, { invariant: 'reconcile fails at the end', message }, step, undefined)
      return
    }
    const changed = ['added', 'removed', 'updated', 'recounted'].filter((k) => report[k] !== 0)
    if (changed.length === 0) return
    const message = generalize(changed.map((k) => `${k} ${String(report[k])}`).join(', '))
    const changes = JSON.stringify(report.changes).slice(0, 1500)
    this.#record(
      state,
      { invariant: 'the index disagrees with the store', message },
      step,
      undefined,
      changes,
    )
  }

  /**
   * Stops the service. One that still works must have an index that agrees with its store
   * (reconcile finds nothing to repair) and a log without secrets.
   */
  async retire(
    state: CaseState = { index: -1, vars: new Map(), step: 0, written: new Map(), seen: new Map() },
  ): Promise<void> {
    const target = this.#target
    if (!target) return
    this.#target = undefined
    // What is found here belongs to the whole run so far, not to the case that ended it.
    const whole = { ...state, index: -1 }
    try {
      if (!state.broken && (await target.alive()) === undefined) await this.#indexAgrees(whole, target)
      const leak = target.coffer.logLeaks()
      if (leak) {
        const step: Step = { route: 'log', method: '-', target: '-', headers: [], transport: 'http' }
        this.#record(whole, { invariant: 'the log shows a secret', message: leak }, step, undefined)
      }
    } finally {
      await target.coffer.stop()
      this.report.restarts += 1
    }
  }

  /** The failure groups found so far, most frequent first. */
  get failures(): FailureGroup[] {
    return [...this.#groups.values()].sort((a, b) => b.count - a.count)
  }
}

/** Runs the fuzzer: fast-check generates the cases from the seed; every failure is recorded, none stops it. */
export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const fuzzer = new Fuzzer(options)
  let next = options.path === undefined ? 0 : Number(options.path.split(':')[0])
  // An error of the fuzzer itself (a service that cannot start) ends the run and is thrown.
  let broken: unknown
  const property = fc.asyncProperty(casesOf(options.only, options.races), async (plan) => {
    if (broken !== undefined) return true
    const index = next++
    try {
      const found = await fuzzer.runCase(plan, index)
      // Replaying: a failing case fails the property, so fast-check reports it too.
      return options.path === undefined || found === 0
    } catch (error) {
      broken = error
      return true
    }
  })
  const params: fc.Parameters<[Plan]> = { seed: options.seed, numRuns: options.runs, endOnFailure: true }
  if (options.path !== undefined) Object.assign(params, { path: options.path, numRuns: 1 })
  else
    Object.assign(params, { interruptAfterTimeLimit: options.seconds * 1000, markInterruptAsFailure: false })
  try {
    await fc.check(property, params)
    if (broken !== undefined) throw broken
  } finally {
    await fuzzer.retire()
    closeConnections()
  }
  fuzzer.report.failures = fuzzer.failures
  return fuzzer.report
}

/**
 * A report as text: totals, then each failure with its first case's replay and exchange. Groups
 * that differ only by route (one bug met on several routes) are shown together.
 */
export function formatReport(report: FuzzReport): string {
  const lines = [
    `fuzz: seed ${report.seed}, ${report.cases} cases, ${report.requests} requests, ` +
      `${report.restarts} service starts, ${report.failures.length} distinct failures`,
  ]
  const byRoute = new Map<string, string[]>()
  for (const [seen, count] of Object.entries(report.statuses).sort()) {
    const route = seen.slice(0, seen.lastIndexOf(' '))
    byRoute.set(route, [...(byRoute.get(route) ?? []), `${seen.slice(route.length + 1)}×${count}`])
  }
  lines.push(
    'answers per route:',
    ...[...byRoute].map(([route, counts]) => `  ${route}: ${counts.join(' ')}`),
  )
  const bugs = new Map<string, FailureGroup[]>()
  for (const g of report.failures) {
    const key = `${g.invariant}\n${g.message}`
    bugs.set(key, [...(bugs.get(key) ?? []), g])
  }
  for (const [n, [g, ...others]] of [...bugs.values()].entries()) {
    if (!g) continue
    lines.push(
      '',
      `[${n + 1}] ${g.invariant} — ${g.route} — ${g.message} (×${g.count})`,
      `  replay: npm run test:fuzz -- ${g.first.replay}   (step ${g.first.step})`,
      ...g.first.request.split('\n').map((l) => `  > ${l}`),
      `  < ${g.first.response}`,
    )
    if (g.first.extra)
      lines.push(
        ...g.first.extra
          .split('\n')
          .slice(-15)
          .map((l) => `  | ${l}`),
      )
    if (others.length > 0) {
      lines.push(`  also on: ${others.map((o) => `${o.route} (×${o.count}, ${o.first.replay})`).join('; ')}`)
    }
  }
  return lines.join('\n')
}
