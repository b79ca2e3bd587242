import type { CofferClient, ObjectAttributes } from '@coffer/client'
import { UsageError } from '../coffer-url.ts'
import { stateDir } from '../config/paths.ts'
import { parseSize } from '../units.ts'
import { type FilterRule, type NameFilter, nameFilter } from './name-filter.ts'
import { createProgress, type Progress, progressMode } from './progress.ts'
import { ResumeStore } from './resume-store.ts'
import { type UploadHeaderOptions, uploadAttributes } from './upload-headers.ts'

/** What every transfer of one command shares. */
export interface TransferContext {
  client: CofferClient
  progress: Progress
  /** Files of at least this many bytes are uploaded over tus, resumably (default 64 MiB). */
  resumeThreshold: number
  /** Where resumable uploads remember their upload URLs. */
  resumes: ResumeStore
  /** What every upload sets: type, cache control, metadata (`--content-type`, …). */
  attributes: ObjectAttributes
  /** `--no-clobber`: a destination that exists is left as it is, and the transfer skipped. */
  noClobber: boolean
}

/** The default of `--resume-threshold`: below it a file goes in one streamed PUT. */
export const DEFAULT_RESUME_THRESHOLD = 64 * 1024 * 1024

/** The options every transferring command takes. */
export interface TransferOptions extends UploadHeaderOptions {
  /** `--resume-threshold`: a size such as `64MiB`. */
  resumeThreshold?: string
  /** `--concurrency`: transfers at a time. */
  concurrency?: string
  /** `--json`: no progress on stdout, a JSON report at the end. */
  json?: boolean
  /** `false` with `--no-clobber` (Commander's negated option): never replace what exists. */
  clobber?: boolean
  /** `--include` and `--exclude` globs, in command-line order (one list holds both). */
  include?: FilterRule[]
  exclude?: FilterRule[]
}

/** The context for a command's transfers. */
export function transferContext(client: CofferClient, options: TransferOptions): TransferContext {
  const threshold =
    options.resumeThreshold === undefined ? DEFAULT_RESUME_THRESHOLD : parseSize(options.resumeThreshold)
  return {
    client,
    progress: createProgress(progressMode(options.json === true)),
    resumeThreshold: Math.max(1, threshold),
    resumes: new ResumeStore(stateDir()),
    attributes: uploadAttributes(options),
    noClobber: options.clobber === false,
  }
}

/** The `--include`/`--exclude` filter of a command's options. */
export function filterOf(options: TransferOptions): NameFilter {
  return nameFilter(options.include ?? options.exclude ?? [])
}

/** `--concurrency` as a number (default 4, at least 1). */
export function concurrencyOf(options: TransferOptions): number {
  const value = Number(options.concurrency ?? 4)
  if (!Number.isInteger(value) || value < 1 || value > 64) {
    throw new UsageError(`bad --concurrency: ${options.concurrency} (1 to 64)`)
  }
  return value
}
