import { StorageError } from '@coffer/core'
import { type S3Driver, s3Driver } from './s3-driver.ts'
import type { S3DriverOptions } from './s3-options.ts'

type Env = Record<string, string | undefined>

/** Warnings go once per process: a missing credential is a configuration fact, not an event. */
let warned = false

function parseBoolean(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined
  if (/^(1|true|yes)$/i.test(value)) return true
  if (/^(0|false|no)$/i.test(value)) return false
  throw new StorageError('InvalidArgument', `${name} must be true or false`)
}

function parseMilliseconds(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  const ms = Number(value)
  if (!/^\d+$/.test(value) || ms < 100 || ms > 3_600_000)
    throw new StorageError(
      'InvalidArgument',
      `${name} must be a whole number of milliseconds from 100 to 3600000`,
    )
  return ms
}

/** Timeout variables and the option each sets. */
const TIMEOUTS = [
  ['COFFER_S3_CONNECT_TIMEOUT_MS', 'connectionTimeout'],
  ['COFFER_S3_IDLE_TIMEOUT_MS', 'idleTimeout'],
  ['COFFER_S3_REQUEST_TIMEOUT_MS', 'requestTimeout'],
  ['COFFER_S3_DEADLINE_MS', 'deadline'],
] as const

/**
 * The S3 driver from the environment: `AWS_S3_BUCKET` (required), `AWS_REGION` (default us-east-1),
 * `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (absent: the SDK's default chain, with one warning),
 * `COFFER_S3_ENDPOINT`, `COFFER_S3_FORCE_PATH_STYLE`, `COFFER_S3_ACL`, `COFFER_S3_SIGN_PAYLOAD`, and the
 * timeouts in milliseconds `COFFER_S3_CONNECT_TIMEOUT_MS` (5000), `COFFER_S3_IDLE_TIMEOUT_MS` (30000),
 * `COFFER_S3_REQUEST_TIMEOUT_MS` (60000), `COFFER_S3_DEADLINE_MS` (120000) (see `S3DriverOptions`).
 */
export function s3DriverFromEnv(
  env: Env = process.env,
  warn: (message: string) => void = console.warn,
): S3Driver {
  const bucket = env.AWS_S3_BUCKET
  if (!bucket) throw new StorageError('InvalidArgument', 'COFFER_DRIVER=s3 needs AWS_S3_BUCKET')
  const options: S3DriverOptions = { bucket, region: env.AWS_REGION || 'us-east-1' }
  if (env.COFFER_S3_ENDPOINT) options.endpoint = env.COFFER_S3_ENDPOINT
  const pathStyle = parseBoolean('COFFER_S3_FORCE_PATH_STYLE', env.COFFER_S3_FORCE_PATH_STYLE)
  if (pathStyle !== undefined) options.forcePathStyle = pathStyle
  const acl = parseBoolean('COFFER_S3_ACL', env.COFFER_S3_ACL)
  if (acl !== undefined) options.acl = acl
  const signPayload = parseBoolean('COFFER_S3_SIGN_PAYLOAD', env.COFFER_S3_SIGN_PAYLOAD)
  if (signPayload !== undefined) options.signPayload = signPayload
  for (const [name, option] of TIMEOUTS) {
    const ms = parseMilliseconds(name, env[name])
    if (ms !== undefined) options[option] = ms
  }
  const accessKeyId = env.AWS_ACCESS_KEY_ID
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY
  if (accessKeyId && secretAccessKey) {
    options.credentials = {
      accessKeyId,
      secretAccessKey,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    }
  } else if (!warned) {
    warned = true
    warn(
      'coffer: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set; using the AWS SDK default credential chain',
    )
  }
  return s3Driver(options)
}
