import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { StorageError, type StorageService } from '@coffer/core'
import type { AppOptions } from '../app/create-app.ts'
import { createApp } from '../app/create-app.ts'
import type { Config } from '../config/config.ts'
import { ApiKeyStore } from '../domain/auth/api-key-store.ts'
import { loggerOptions } from '../http/request-log.ts'
import type { App } from '../http/typed-app.ts'
import { logDestination } from './log-destination.ts'
import { openBackends } from './open-backends.ts'
import { loadOrCreateSigningSecret } from './signing-secret.ts'
import { loadOrCreateInstanceId, markRunning, markStopped } from './unclean-stop.ts'

/** A listening service. */
export interface RunningServer {
  app: App
  /** The address it listens on, e.g. http://127.0.0.1:7373. */
  url: string
  /** The content origin's address, e.g. http://127.0.0.1:7374 (COFFER_CONTENT_URL when set). */
  contentUrl: string
  /** The S3 endpoint's address, e.g. http://127.0.0.1:7375. */
  s3Url: string
  /** The admin token generated on the first start, to be shown once; absent otherwise. */
  adminToken?: string
  /** Stops accepting requests, lets running ones finish, then closes the index and the storage. */
  close(): Promise<void>
}

/**
 * Starts the service from a configuration: the driver (fs under `<dataDir>/files` by default), the
 * index (SQLite in the data dir, or Postgres), the admin key bootstrap, then the three HTTP listeners:
 * the API origin and the content origin.
 */
export async function startServer(config: Config): Promise<RunningServer> {
  const signingSecret = config.signingSecret ?? (await loadOrCreateSigningSecret(config.dataDir))
  const startedAt = new Date()
  const { uncleanStop } = await markRunning(config.dataDir)
  // A start that fails leaves the mark: the next start reconciles once more, which costs only time.
  const { storage, db, close: closeBackends } = await openBackends(config)
  try {
    const keys = new ApiKeyStore(db)
    await keys.useEnvAdminKey(config.adminKey)
    const uploadsDir = join(config.dataDir, 'uploads')
    // Staged uploads are tenants' bytes too: for the service's user only (the stager keeps this mode).
    await mkdir(uploadsDir, { recursive: true, mode: 0o700 })
    const options: AppOptions = {
      storage,
      db,
      signingSecret,
      logger: loggerOptions(config.logLevel, (await logDestination(config.logFormat)).stream),
      uploadsDir,
      reconcileAtStart: true,
      instance: await loadOrCreateInstanceId(config.dataDir),
    }
    if (config.publicUrl !== undefined) options.publicUrl = config.publicUrl
    if (config.contentUrl !== undefined) options.contentUrl = config.contentUrl
    if (config.sitesDomain !== undefined) options.sitesDomain = config.sitesDomain
    if (config.jwt !== undefined) options.jwt = config.jwt
    if (config.s3Region !== undefined) options.s3Region = config.s3Region
    if (config.s3Domain !== undefined) options.s3Domain = config.s3Domain
    if (config.reconcileEvery !== undefined) options.reconcileEvery = config.reconcileEvery
    if (config.expirySweepEvery !== undefined) options.expirySweepEvery = config.expirySweepEvery
    if (config.metricsPublic) options.metricsPublic = true
    if (config.directSignedGets) options.directSignedGets = true
    if (config.uploadExpiry !== undefined) options.uploadExpiry = config.uploadExpiry
    if (config.uploadLimits !== undefined) options.uploadLimits = config.uploadLimits
    if (config.cacheTtl !== undefined) options.cacheTtl = config.cacheTtl
    if (config.bodyIdleTimeout !== undefined) options.bodyIdleTimeout = config.bodyIdleTimeout
    if (config.bodyMinRate !== undefined) options.bodyMinRate = config.bodyMinRate
    if (config.uploadsPerCredential !== undefined) options.uploadsPerCredential = config.uploadsPerCredential
    if (config.corsOrigins !== undefined) options.corsOrigins = config.corsOrigins
    if (config.renderCacheBytes !== undefined) options.renderCacheBytes = config.renderCacheBytes
    const app = await createApp(options)
    if (config.driver.kind === 's3') for (const warning of config.driver.warnings) app.log.warn(warning)
    if (uncleanStop && config.driver.kind === 'fs') sweepTempsOfKilledWrites(app, storage, startedAt)
    let url: string
    let contentUrl: string
    let s3Url: string
    try {
      url = await listen(app, config.port, config.host, 'PORT')
      contentUrl = await listen(app.content, config.contentPort, config.host, 'COFFER_CONTENT_PORT')
      s3Url = await listen(app.s3, config.s3Port, config.host, 'COFFER_S3_PORT')
    } catch (error) {
      await app.close()
      throw error
    }
    if (config.contentUrl === undefined && ['0.0.0.0', '::'].includes(config.host)) {
      app.log.warn(
        'COFFER_CONTENT_URL is not set: signed and public URLs will name the wildcard address the service binds',
      )
    } else if (config.contentUrl === undefined && config.publicUrl !== undefined) {
      app.log.warn(
        "COFFER_PUBLIC_URL is set but COFFER_CONTENT_URL is not: signed and public URLs name the content listener's own address",
      )
    }
    // Only now, with every listener up: a start that fails makes no key that nobody was shown.
    const adminToken = config.adminKey === undefined ? await keys.firstAdminKey() : undefined
    const server: RunningServer = {
      app,
      url,
      contentUrl: config.contentUrl ?? contentUrl,
      s3Url,
      async close() {
        await app.close()
        await closeBackends()
        await markStopped(config.dataDir)
      },
    }
    if (adminToken !== undefined) server.adminToken = adminToken
    return server
  } catch (error) {
    await closeBackends()
    throw error
  }
}

/**
 * Listens on `port`; a port that is taken or not ours to bind becomes one line that says which
 * setting chooses another, instead of a stack.
 */
async function listen(
  app: Pick<App, 'listen'>,
  port: number,
  host: string,
  setting: string,
): Promise<string> {
  try {
    return await app.listen({ port, host })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') {
      throw new StorageError(
        'Unavailable',
        `port ${port} is in use on ${host}: set ${setting} to another port`,
      )
    }
    if (code === 'EACCES') {
      throw new StorageError(
        'AccessDenied',
        `port ${port} may not be used by this user: set ${setting} to a port above 1023`,
      )
    }
    throw error
  }
}

/**
 * After an unclean stop, removes the fs driver's temp files of the writes the killed process left,
 * in the background: every one is older than this start (the periodic sweep would wait for the
 * upload expiry). Only the fs driver: an S3 bucket may be shared with other running instances.
 */
function sweepTempsOfKilledWrites(app: App, storage: StorageService, startedAt: Date): void {
  storage.driver.sweepUploads?.(startedAt).then(
    (removed) => app.log.info({ removed }, 'temp files of an unclean stop removed'),
    (error: unknown) => app.log.warn({ err: error }, 'removing temp files of an unclean stop failed'),
  )
}
