import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createStorage, type StorageService } from '@coffer/core'
import { createImageRenderer, type ImageLimits, imageLimitsFromEnv } from '@coffer/images'
import multipart from '@fastify/multipart'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger, type FastifyServerOptions, LogController } from 'fastify'
import type { Kysely } from 'kysely'
import { ObjectCatalog } from '../catalog/object-catalog.ts'
import { resolveWriteIntents } from '../catalog/resolve-write-intents.ts'
import { UsageRecorder } from '../catalog/usage.ts'
import { WriteIntents } from '../catalog/write-intents.ts'
import { DEFAULT_SITES_DOMAIN, type JwtConfig } from '../config/config.ts'
import type { Database } from '../db/schema.ts'
import { ApiKeyStore } from '../domain/auth/api-key-store.ts'
import { Authenticator } from '../domain/auth/authenticator.ts'
import { createJwtVerifier } from '../domain/auth/jwt-verifier.ts'
import { S3CredentialStore } from '../domain/auth/s3-credential-store.ts'
import { BucketCors } from '../domain/buckets/bucket-cors.ts'
import { BucketStore } from '../domain/buckets/bucket-store.ts'
import { parseOrigin } from '../domain/buckets/cors-rule.ts'
import { oneAtATime, reconcile } from '../domain/buckets/reconcile.ts'
import { ImageUploads } from '../domain/renders/image-uploads.ts'
import { RenderCache } from '../domain/renders/render-cache.ts'
import { RenderService } from '../domain/renders/render-service.ts'
import { RenderSigner } from '../domain/renders/render-signer.ts'
import { ShareStore } from '../domain/shares/share-store.ts'
import type { ArchiveLimits } from '../domain/sites/archive-limits.ts'
import { SiteStore } from '../domain/sites/site-store.ts'
import { MultipartUploadStore } from '../domain/uploads/multipart-upload-store.ts'
import { DEFAULT_STAGING_LIMITS } from '../domain/uploads/staging-ledger.ts'
import type { AppContext } from '../http/app-context.ts'
import { BodyLimits, watchParsedBodies } from '../http/body-limits.ts'
import { apiScope, registerCors } from '../http/cors.ts'
import { clientErrorHandler, registerErrorHandling } from '../http/error-handling.ts'
import { frameworkErrors } from '../http/protocol-errors.ts'
import { registerResponseHooks } from '../http/response-hooks.ts'
import { TusUploads } from '../http/tus-uploads.ts'
import type { App } from '../http/typed-app.ts'
import { expirySweepJob } from '../jobs/expiry-sweep-job.ts'
import { reconcileJob } from '../jobs/reconcile-job.ts'
import { uploadSweepJob } from '../jobs/upload-sweep-job.ts'
import { auditRoutes } from '../routes/audit-routes.ts'
import { bucketRoutes } from '../routes/bucket-routes.ts'
import { contentRedirectRoutes } from '../routes/content-redirect-routes.ts'
import { exportRoutes } from '../routes/export-routes.ts'
import { FORM_LIMITS, formUploadRoutes } from '../routes/form-upload-routes.ts'
import { healthRoutes } from '../routes/health-routes.ts'
import { keyRoutes } from '../routes/key-routes.ts'
import { metricsRoutes } from '../routes/metrics-routes.ts'
import { objectCollectionRoutes } from '../routes/object-collection-routes.ts'
import { objectRoutes } from '../routes/object-routes.ts'
import { renderRoutes } from '../routes/render-routes.ts'
import { shareRoutes } from '../routes/share-routes.ts'
import { siteRoutes } from '../routes/site-routes.ts'
import { tusRoutes } from '../routes/tus-routes.ts'
import { usageRoutes } from '../routes/usage-routes.ts'
import { webRoutes } from '../routes/web-routes.ts'
import { whoamiRoutes } from '../routes/whoami-routes.ts'
import { zipRoutes } from '../routes/zip-routes.ts'
import { createS3App } from '../s3/s3-app.ts'
import { Metrics } from '../support/metrics.ts'
import { createContentApp } from './content-app.ts'

/** What `createApp` needs; the caller owns the storage and the index. */
export interface AppOptions {
  /** The one configured storage; buckets live in it under `<bucket>/`. */
  storage: StorageService
  /** The migrated index (see `openDatabase`). */
  db: Kysely<Database>
  /** Secret of Coffer's own signed URLs (at least 32 bytes). */
  signingSecret: string
  /** Where clients reach the API origin (COFFER_PUBLIC_URL). Signed and public URLs name `contentUrl`. */
  publicUrl?: string
  /**
   * Signed GET URLs straight to the store, when the driver signs its own (S3 SigV4): they spare the
   * service the bytes, but they hold until they expire whatever happens to the key that asked for
   * them. Off by default: Coffer's own URLs die with their issuer (`COFFER_SIGNED_GETS_DIRECT`).
   */
  directSignedGets?: boolean
  /**
   * Where browsers reach the content origin (`app.content`), which signed and public URLs name;
   * default: the address it listens on.
   */
  contentUrl?: string
  jwt?: JwtConfig
  /** The region S3 clients sign for at the S3 endpoint (`COFFER_S3_REGION`); default `us-east-1`. */
  s3Region?: string
  /** Virtual-host style at the S3 endpoint: `<bucket>.<s3Domain>` (`COFFER_S3_DOMAIN`); default none. */
  s3Domain?: string
  /**
   * Where resumable (tus) uploads stage their parts (`<COFFER_DATA_DIR>/uploads`); default: a temp
   * directory removed at close, so unfinished uploads do not survive a restart.
   */
  uploadsDir?: string
  /** Fastify's logger option: pino options, or false. */
  logger?: FastifyServerOptions['logger']
  /**
   * Whose write intents this process writes and, at start, resolves (see `WriteIntents`): one id per
   * data dir, so that replicas sharing a database never resolve each other's writes in flight.
   * Default `default`.
   */
  instance?: string
  /** Runs reconcile this often (ms) in the background; never when absent. */
  reconcileEvery?: number
  /**
   * Runs reconcile once in the background at start when the index has no object row, or always
   * (`'always'`). An unclean stop needs none: its writes in flight are repaired from their intents.
   */
  reconcileAtStart?: boolean | 'always'
  /** Milliseconds between rounds of the sweep that deletes expired objects; default 60 s. */
  expirySweepEvery?: number
  /** `/metrics` without credentials (for a Prometheus on a private network). */
  metricsPublic?: boolean
  /** Resumable uploads idle this long (ms) are removed with their staged bytes; default 24 hours. */
  uploadExpiry?: number
  /** Limits on resumable uploads: bytes staged in all, uploads open per credential (see StagingLimits). */
  uploadLimits?: { totalBytes?: number; sessionsPerCredential?: number }
  /** How long API keys and bucket policies read from the index are reused (ms); default 5 s, 0 never. */
  cacheTtl?: number
  /** Request bodies that stall fail after this long (ms); default 30 s (see `BodyLimits`). */
  bodyIdleTimeout?: number
  /** Bytes per second an upload's body must average over each idle window; default 1024 (see `BodyLimits`). */
  bodyMinRate?: number
  /** Uploads one credential may stream at once; default 256. */
  uploadsPerCredential?: number
  /** Limits of image renders; default from `COFFER_IMAGE_*` (see `imageLimitsFromEnv`). */
  imageLimits?: Partial<ImageLimits>
  /** What one site deploy may hold (entries, bytes); default `DEFAULT_ARCHIVE_LIMITS`. */
  siteLimits?: Partial<ArchiveLimits>
  /** Bytes the variant cache may hold before the least recently used renders go; default 1 GiB. */
  renderCacheBytes?: number
  /**
   * Origins whose pages may call Coffer from a browser where a bucket's policy names none
   * (`COFFER_CORS_ORIGINS`); default none.
   */
  corsOrigins?: string[]
  /**
   * Sites are served on the content origin at `<site>.<sitesDomain>` (COFFER_SITES_DOMAIN, a
   * wildcard DNS name in production); default `sites.localhost`, which browsers and curl resolve to
   * loopback without any configuration.
   */
  sitesDomain?: string
}

/** A site's own origin: the content origin's scheme and port, the site's host name. */
function siteUrlOf(contentUrl: string, sitesDomain: string, site: string): string {
  const { protocol, port } = new URL(contentUrl)
  return `${protocol}//${site}.${sitesDomain}${port === '' ? '' : `:${port}`}`
}

/** The service's own URL when none is configured: the address it listens on. */
function listeningUrl(app: App): string | undefined {
  const address = app.server.address() as AddressInfo | string | null
  if (address === null || typeof address === 'string') return undefined
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return `http://${host}:${address.port}`
}

/** The API app, with the content origin's app beside it: both share one context. */
export type CofferApp = App & {
  /** The content origin: user bytes, no credentials. Listen on it too; closing the API closes it. */
  readonly content: App
  /** The S3-compatible endpoint (SigV4, path-style at the root). Listen on it too; closing the API closes it. */
  readonly s3: App
}

/**
 * What the routes share. Signed URLs name the content origin: configured, or the address its
 * listener has (an ephemeral port is known only after `listen`). The storage the routes use is the
 * caller's driver with Coffer's signer, the one path that signs and verifies URLs.
 */
function createContext(
  options: AppOptions,
  content: () => App | undefined,
  log: FastifyBaseLogger,
): AppContext {
  let base: string | undefined
  const contentUrl = () => {
    const listening = content()
    return options.contentUrl ?? (listening && listeningUrl(listening)) ?? 'http://127.0.0.1:7374'
  }
  const signedBase = () => {
    if (base !== undefined) return base
    const url = `${contentUrl()}/signed`
    if (options.contentUrl !== undefined || content()?.server.listening) base = url
    return url
  }
  const cache = options.cacheTtl === undefined ? {} : { cacheTtl: options.cacheTtl }
  const sitesDomain = options.sitesDomain ?? DEFAULT_SITES_DOMAIN
  const keys = new ApiKeyStore(options.db, {
    ...cache,
    onError: (error) => log.warn({ err: error }, 'when an API key was last used not written'),
  })
  const index = new ObjectCatalog(options.db)
  const buckets = new BucketStore(options.db, cache)
  const storage = createStorage({
    driver: options.storage.driver,
    signingSecret: options.signingSecret,
    baseUrl: signedBase,
  })
  const renderCache = new RenderCache(options.db, storage, options.renderCacheBytes ?? 1024 ** 3)
  const renderer = createImageRenderer(options.imageLimits ?? imageLimitsFromEnv())
  const metrics = new Metrics(options.db)
  metrics.watchRenders(renderer.load)
  return {
    storage,
    renders: new RenderService(renderer, renderCache),
    images: new ImageUploads(options.db, storage, renderer),
    renderSigner: new RenderSigner(options.signingSecret, () => `${contentUrl()}/render-signed`),
    db: options.db,
    catalog: index,
    intents: new WriteIntents(options.db, options.instance ?? 'default', (error) =>
      log.warn({ err: error }, 'a write intent was not removed; the next start resolves it'),
    ),
    usage: new UsageRecorder(options.db, (error) => log.warn({ err: error }, 'usage counts not written yet')),
    metrics,
    metricsPublic: options.metricsPublic ?? false,
    reconcile: oneAtATime((opts = {}) => reconcile(options.storage, index, buckets, opts)),
    buckets,
    keys,
    s3Credentials: new S3CredentialStore(options.db, keys, options.signingSecret, cache),
    multipartUploads: new MultipartUploadStore(options.db, {
      ...DEFAULT_STAGING_LIMITS,
      ...options.uploadLimits,
    }),
    bodyLimits: new BodyLimits({
      ...(options.bodyIdleTimeout === undefined ? {} : { idleTimeout: options.bodyIdleTimeout }),
      ...(options.bodyMinRate === undefined ? {} : { minRate: options.bodyMinRate }),
      ...(options.uploadsPerCredential === undefined
        ? {}
        : { uploadsPerCredential: options.uploadsPerCredential }),
    }),
    auth: new Authenticator(keys, options.jwt === undefined ? undefined : createJwtVerifier(options.jwt)),
    contentUrl,
    signedBase,
    directSignedGets: options.directSignedGets ?? false,
    cors: new BucketCors(buckets, (options.corsOrigins ?? []).map(parseOrigin), cache),
    sites: new SiteStore(options.db),
    shares: new ShareStore(options.db, options.signingSecret),
    siteLimits: options.siteLimits ?? {},
    sitesDomain,
    siteUrl: (site) => siteUrlOf(contentUrl(), sitesDomain, site),
    previewSecret: options.signingSecret,
  }
}

/**
 * The HTTP service on a storage and an index: the API app, and beside it `app.content`, the content
 * origin. The caller listens on both, and closes the storage and the index after `app.close()`.
 * Request bodies of object routes are streams, never buffered; JSON bodies are limited to 1 MiB.
 */
export async function createApp(options: AppOptions): Promise<CofferApp> {
  const app: App = Fastify({
    logger: options.logger ?? false,
    // One line per request, written by the onResponse hook (logRequest), instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    bodyLimit: 1024 * 1024,
    routerOptions: { maxParamLength: 4096 },
    clientErrorHandler,
    frameworkErrors,
    // Node answers a request without Host with an empty 400; `answerProtocolErrors` does instead.
    http: { requireHostHeader: false },
    // Unknown fields are refused (400), not silently dropped: a misspelt policy field must not pass.
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>()

  let content: App | undefined
  const ctx = createContext(options, () => content, app.log)
  // Writes a killed process left between the store and the index: repaired before any request runs.
  const intents = await resolveWriteIntents(options.storage, ctx.catalog, ctx.intents)
  if (intents.intents > 0) app.log.info({ intents }, 'write intents of an unclean stop resolved')
  const contentApp = await createContentApp(ctx, app.log)
  content = contentApp
  app.decorate('content', contentApp)
  // The content origin stops first, so that the counts of its last requests are flushed below.
  app.addHook('preClose', () => contentApp.close())
  const s3App = await createS3App(ctx, app.log, {
    ...(options.s3Region === undefined ? {} : { region: options.s3Region }),
    ...(options.s3Domain === undefined ? {} : { domain: options.s3Domain }),
  })
  app.decorate('s3', s3App)
  app.addHook('preClose', () => s3App.close())

  await app.register(swagger, {
    openapi: {
      // 3.1: JSON Schema's `type: [t, 'null']` is valid there as it is (3.0 has `nullable`).
      openapi: '3.1.0',
      info: { title: 'Coffer', version: '0.1.0', description: 'File storage for applications' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  })
  // swagger-ui's own policy (scripts of /docs/static by hash, no plugins, no framing by others): the
  // docs page is on the API origin, beside the UI's credentials.
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
  registerErrorHandling(app)
  await registerCors(app, (path) => apiScope(ctx.cors, path))
  app.addHook('onRoute', watchParsedBodies(ctx.bodyLimits))
  registerResponseHooks(app, ctx)
  // The last counts go to the index at close; an index already gone loses them, nothing else.
  app.addHook('onClose', () =>
    ctx.usage.flush().catch((error: unknown) => app.log.warn({ err: error }, 'usage counts not written')),
  )
  await app.register(reconcileJob, {
    ctx,
    every: options.reconcileEvery,
    atStart: options.reconcileAtStart,
  })
  await app.register(expirySweepJob, { ctx, every: options.expirySweepEvery })

  await app.register(multipart, { limits: FORM_LIMITS, throwFileSizeLimit: true })
  healthRoutes(app, ctx)
  usageRoutes(app, ctx)
  auditRoutes(app, ctx)
  metricsRoutes(app, ctx)
  bucketRoutes(app, ctx)
  keyRoutes(app, ctx)
  whoamiRoutes(app, ctx)
  await siteRoutes(app, ctx)
  objectCollectionRoutes(app, ctx)
  shareRoutes(app, ctx)
  zipRoutes(app, ctx)
  renderRoutes(app, ctx)
  formUploadRoutes(app, ctx)
  await webRoutes(app, { contentUrl: ctx.contentUrl })
  await app.register(async (scope) => {
    // Object bodies are the objects: no parser reads them, the routes stream them to the storage.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null))
    const raw = scope.withTypeProvider<TypeBoxTypeProvider>()
    objectRoutes(raw, ctx)
    exportRoutes(raw, ctx)
    contentRedirectRoutes(raw, ctx)
  })
  let uploadsDir = options.uploadsDir
  if (uploadsDir === undefined) {
    const temp = await mkdtemp(join(tmpdir(), 'coffer-uploads-'))
    app.addHook('onClose', () => rm(temp, { recursive: true, force: true }))
    uploadsDir = temp
  }
  const uploads = new TusUploads(ctx, uploadsDir, options.uploadLimits)
  await app.register(uploadSweepJob, {
    uploads,
    multipart: ctx.multipartUploads,
    storage: options.storage,
    expiry: options.uploadExpiry ?? 24 * 3600_000,
  })
  await app.register(async (scope) => {
    // tus reads the bodies (application/offset+octet-stream) from the raw request.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null))
    tusRoutes(scope.withTypeProvider<TypeBoxTypeProvider>(), uploads)
  })
  return app as CofferApp
}
