import { BOOLEAN_SPELLINGS, type Env, parseBoolean } from '@coffer/core'
import type { MultipartStrategy, S3DriverOptions } from './s3-options.ts'

/** What `s3OptionsFromEnv` read: the options, and everything wrong with the variables. */
export interface S3OptionsFromEnv {
  /** The driver's options; complete only when `problems` is empty (`bucket` is `''` when missing). */
  options: S3DriverOptions
  /** One line per bad or missing variable, naming it; no value is echoed. */
  problems: string[]
  /** Facts worth one line at start that are not errors (no static credentials). */
  warnings: string[]
}

/** Boolean variables and the option each sets. */
const BOOLEANS = [
  ['COFFER_S3_FORCE_PATH_STYLE', 'forcePathStyle'],
  ['COFFER_S3_ACL', 'acl'],
  ['COFFER_S3_SIGN_PAYLOAD', 'signPayload'],
] as const

/** Timeout variables and the option each sets. */
const TIMEOUTS = [
  ['COFFER_S3_CONNECT_TIMEOUT_MS', 'connectionTimeout'],
  ['COFFER_S3_IDLE_TIMEOUT_MS', 'idleTimeout'],
  ['COFFER_S3_REQUEST_TIMEOUT_MS', 'requestTimeout'],
  ['COFFER_S3_DEADLINE_MS', 'deadline'],
] as const

const STRATEGIES: readonly MultipartStrategy[] = ['native', 'staged']

const NO_CREDENTIALS =
  'AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set; using the AWS SDK default credential chain'

/**
 * Reads the S3 driver's options from environment variables, without throwing and without reading
 * `process.env`: `AWS_S3_BUCKET` (required), `AWS_REGION` (default us-east-1), `AWS_ACCESS_KEY_ID` /
 * `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN` (absent: the SDK's default chain, and a warning),
 * `COFFER_S3_ENDPOINT`, the booleans `COFFER_S3_FORCE_PATH_STYLE`, `COFFER_S3_ACL`,
 * `COFFER_S3_SIGN_PAYLOAD` (see `parseBoolean`), `COFFER_S3_MULTIPART` (`native` or `staged`), and
 * the timeouts in milliseconds
 * `COFFER_S3_CONNECT_TIMEOUT_MS` (5000), `COFFER_S3_IDLE_TIMEOUT_MS` (30000),
 * `COFFER_S3_REQUEST_TIMEOUT_MS` (60000), `COFFER_S3_DEADLINE_MS` (120000) (see `S3DriverOptions`).
 * Empty variables count as unset.
 */
export function s3OptionsFromEnv(env: Env): S3OptionsFromEnv {
  const problems: string[] = []
  const warnings: string[] = []
  const text = (name: string) => env[name]?.trim() || undefined
  const bucket = text('AWS_S3_BUCKET')
  if (bucket === undefined) problems.push('AWS_S3_BUCKET is required for the S3 driver')
  const options: S3DriverOptions = { bucket: bucket ?? '', region: text('AWS_REGION') ?? 'us-east-1' }
  const endpoint = text('COFFER_S3_ENDPOINT')
  if (endpoint !== undefined) options.endpoint = endpoint
  for (const [name, option] of BOOLEANS) {
    const value = text(name)
    if (value === undefined) continue
    const flag = parseBoolean(value)
    if (flag === undefined) problems.push(`${name} must be ${BOOLEAN_SPELLINGS}`)
    else options[option] = flag
  }
  const multipart = text('COFFER_S3_MULTIPART')
  if (multipart !== undefined) {
    if (STRATEGIES.includes(multipart as MultipartStrategy))
      options.multipart = multipart as MultipartStrategy
    else problems.push(`COFFER_S3_MULTIPART must be ${STRATEGIES.join(' or ')}`)
  }
  for (const [name, option] of TIMEOUTS) {
    const value = text(name)
    if (value === undefined) continue
    const ms = Number(value)
    if (/^\d+$/.test(value) && ms >= 100 && ms <= 3_600_000) options[option] = ms
    else problems.push(`${name} must be a whole number of milliseconds from 100 to 3600000`)
  }
  const accessKeyId = text('AWS_ACCESS_KEY_ID')
  const secretAccessKey = text('AWS_SECRET_ACCESS_KEY')
  if (accessKeyId !== undefined && secretAccessKey !== undefined) {
    const sessionToken = text('AWS_SESSION_TOKEN')
    options.credentials = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) }
  } else {
    warnings.push(NO_CREDENTIALS)
  }
  return { options, problems, warnings }
}
