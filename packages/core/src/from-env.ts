import { join } from 'node:path'
import type { Driver } from './driver.ts'
import { fsDriver } from './drivers/fs/fs-driver.ts'
import { memoryDriver } from './drivers/memory/memory-driver.ts'
import { StorageError } from './errors.ts'
import { createStorage, type StorageService } from './service/storage-service.ts'

type Env = Record<string, string | undefined>

/** The S3 driver lives in its own package so that the AWS SDK stays out of `@coffer/core`. */
async function s3FromEnv(env: Env): Promise<Driver> {
  const name = '@coffer/driver-s3'
  let module: { s3DriverFromEnv?: (env: Env) => Driver }
  try {
    module = (await import(name)) as typeof module
  } catch (error) {
    throw new StorageError('InvalidArgument', 'COFFER_DRIVER=s3 needs the @coffer/driver-s3 package', {
      cause: error,
    })
  }
  if (!module.s3DriverFromEnv) throw new StorageError('Internal', '@coffer/driver-s3 has no s3DriverFromEnv')
  return module.s3DriverFromEnv(env)
}

/**
 * Builds a driver from the environment: `COFFER_DRIVER` = `fs` (default; files under
 * `COFFER_DATA_DIR`/files, `COFFER_DATA_DIR` defaulting to `./data`), `memory`, or `s3` (the AWS
 * variables; see `@coffer/driver-s3`).
 */
export async function driverFromEnv(env: Env = process.env): Promise<Driver> {
  const kind = (env.COFFER_DRIVER ?? 'fs').trim().toLowerCase()
  switch (kind) {
    case 'fs':
      return fsDriver({ root: join(env.COFFER_DATA_DIR ?? './data', 'files') })
    case 'memory':
      return memoryDriver()
    case 's3':
      return s3FromEnv(env)
    default:
      throw new StorageError(
        'InvalidArgument',
        `COFFER_DRIVER must be fs, memory or s3, not "${kind.slice(0, 32)}"`,
      )
  }
}

/**
 * A `StorageService` configured from the environment: the driver (see `driverFromEnv`), the signing
 * secret for Coffer's own signed URLs (`COFFER_SIGNING_SECRET`) and their base URL, on the server's
 * content origin (`COFFER_CONTENT_URL` + `/signed`; default port `COFFER_CONTENT_PORT`, else PORT + 1).
 */
export async function storageFromEnv(env: Env = process.env): Promise<StorageService> {
  const driver = await driverFromEnv(env)
  const port = env.COFFER_CONTENT_PORT ?? (env.PORT === undefined ? '7374' : String(Number(env.PORT) + 1))
  const contentUrl = (env.COFFER_CONTENT_URL ?? `http://127.0.0.1:${port}`).replace(/\/+$/, '')
  const options = { driver, baseUrl: `${contentUrl}/signed` }
  const secret = env.COFFER_SIGNING_SECRET
  return createStorage(secret ? { ...options, signingSecret: secret } : options)
}
