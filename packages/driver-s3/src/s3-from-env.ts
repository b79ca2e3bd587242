import { type Env, StorageError } from '@coffer/core'
import { type S3Driver, s3Driver } from './s3-driver.ts'
import { s3OptionsFromEnv } from './s3-options-from-env.ts'

/** Warnings go once per process: a missing credential is a configuration fact, not an event. */
let warned = false

/**
 * The S3 driver from the environment (see `s3OptionsFromEnv` for the variables): throws one
 * `InvalidArgument` naming every problem; warns once per process when no static credentials are set.
 * Pass it to core's `storageFromEnv(env, { drivers: { s3: s3DriverFromEnv } })`.
 */
export function s3DriverFromEnv(
  env: Env = process.env,
  warn: (message: string) => void = console.warn,
): S3Driver {
  const { options, problems, warnings } = s3OptionsFromEnv(env)
  if (problems.length > 0) {
    throw new StorageError(
      'InvalidArgument',
      `the S3 driver's configuration is invalid:\n${problems.join('\n')}`,
    )
  }
  if (warnings.length > 0 && !warned) {
    warned = true
    for (const warning of warnings) warn(`coffer: ${warning}`)
  }
  return s3Driver(options)
}
