import { join } from 'node:path'
import type { Driver } from './driver.ts'
import { fsDriver } from './drivers/fs/fs-driver.ts'
import { memoryDriver } from './drivers/memory/memory-driver.ts'
import { StorageError } from './errors.ts'
import { createStorage, type StorageService } from './service/storage-service.ts'

/** Environment variables, as `process.env` holds them. */
export type Env = Record<string, string | undefined>

/**
 * Makes a driver from the environment; throws `InvalidArgument` naming every bad variable. A driver
 * package exports one (`s3DriverFromEnv` in the S3 driver's package).
 */
export type DriverFromEnv = (env: Env) => Driver | Promise<Driver>

export interface FromEnvOptions {
  /**
   * Drivers by their `COFFER_DRIVER` name, besides the built-in `fs` and `memory` (an entry of the
   * same name replaces a built-in one). Core names no driver package: the application passes the
   * ones it installed, e.g. `{ s3: s3DriverFromEnv }`, so that their SDKs load only where used.
   */
  drivers?: Record<string, DriverFromEnv>
}

const BUILT_IN: Record<string, DriverFromEnv> = {
  fs: (env) => fsDriver({ root: join(env.COFFER_DATA_DIR || './data', 'files') }),
  memory: () => memoryDriver(),
}

/**
 * Builds a driver from the environment: `COFFER_DRIVER` = `fs` (default; files under
 * `COFFER_DATA_DIR`/files, `COFFER_DATA_DIR` defaulting to `./data`), `memory`, or the name of a
 * driver in `options.drivers` (which reads its own variables).
 */
export async function driverFromEnv(env: Env = process.env, options: FromEnvOptions = {}): Promise<Driver> {
  const drivers = { ...BUILT_IN, ...options.drivers }
  const kind = (env.COFFER_DRIVER || 'fs').trim().toLowerCase()
  const make = Object.hasOwn(drivers, kind) ? drivers[kind] : undefined
  if (make === undefined) {
    const known = Object.keys(drivers).join(', ')
    const hint = kind === 's3' ? ' (pass the S3 driver in: { drivers: { s3: s3DriverFromEnv } })' : ''
    throw new StorageError(
      'InvalidArgument',
      `COFFER_DRIVER must be one of ${known}, not "${kind.slice(0, 32)}"${hint}`,
    )
  }
  return make(env)
}

/** The content origin's address for signed URLs: `COFFER_CONTENT_URL`, else loopback on its port. */
function contentUrlOf(env: Env): string {
  const port = env.COFFER_CONTENT_PORT || (env.PORT ? String(Number(env.PORT) + 1) : '7374')
  return (env.COFFER_CONTENT_URL || `http://127.0.0.1:${port}`).replace(/\/+$/, '')
}

/**
 * A `StorageService` configured from the environment: the driver (see `driverFromEnv`, which takes
 * the same `options`), the signing secret for Coffer's own signed URLs (`COFFER_SIGNING_SECRET`) and
 * their base URL, on the server's content origin (`COFFER_CONTENT_URL` + `/signed`; default port
 * `COFFER_CONTENT_PORT`, else PORT + 1).
 */
export async function storageFromEnv(
  env: Env = process.env,
  options: FromEnvOptions = {},
): Promise<StorageService> {
  const driver = await driverFromEnv(env, options)
  const storage = { driver, baseUrl: `${contentUrlOf(env)}/signed` }
  const secret = env.COFFER_SIGNING_SECRET
  return createStorage(secret ? { ...storage, signingSecret: secret } : storage)
}
