import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type StorageService, UrlSigner } from '@coffer/core'
import multipart from '@fastify/multipart'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, {
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from 'fastify'
import type { Kysely } from 'kysely'
import { type App, type AppContext, objectsOfRequest } from './app-context.ts'
import { ApiKeyStore } from './auth/api-key-store.ts'
import { Authenticator } from './auth/authenticator.ts'
import { createJwtVerifier } from './auth/jwt-verifier.ts'
import { BucketStore } from './buckets/bucket-store.ts'
import type { JwtConfig } from './config.ts'
import type { Database } from './db/schema.ts'
import { BodyLimits, watchParsedBodies } from './http/body-limits.ts'
import { clientErrorHandler, registerErrorHandling } from './http/error-handling.ts'
import { frameworkErrors } from './http/protocol-errors.ts'
import { logRequest } from './http/request-log.ts'
import { ObjectIndex } from './index/object-index.ts'
import { oneAtATime, reconcile } from './index/reconcile.ts'
import { UsageRecorder } from './index/usage.ts'
import { Metrics } from './metrics.ts'
import { accessRoutes } from './routes/access-routes.ts'
import { bucketRoutes } from './routes/bucket-routes.ts'
import { FORM_LIMITS, formUploadRoutes } from './routes/form-upload-routes.ts'
import { healthRoutes } from './routes/health-routes.ts'
import { indexRoutes } from './routes/index-routes.ts'
import { keyRoutes } from './routes/key-routes.ts'
import { objectCollectionRoutes } from './routes/object-collection-routes.ts'
import { objectRoutes } from './routes/object-routes.ts'
import { tusRoutes } from './routes/tus-routes.ts'
import { webRoutes } from './routes/web-routes.ts'
import { TusUploads } from './uploads/tus-uploads.ts'

/** What `createApp` needs; the caller owns the storage and the index. */
export interface AppOptions {
  /** The one configured storage; buckets live in it under `<bucket>/`. */
  storage: StorageService
  /** The migrated index (see `openDatabase`). */
  db: Kysely<Database>
  /** Secret of Coffer's own signed URLs (at least 32 bytes). */
  signingSecret: string
  /** Where clients reach the service; default: the address it listens on. */
  publicUrl?: string
  jwt?: JwtConfig
  /**
   * Where resumable (tus) uploads stage their parts (`<COFFER_DATA_DIR>/uploads`); default: a temp
   * directory removed at close, so unfinished uploads do not survive a restart.
   */
  uploadsDir?: string
  /** Fastify's logger option: pino options, or false. */
  logger?: FastifyServerOptions['logger']
  /** Runs reconcile this often (ms) in the background; never when absent. */
  reconcileEvery?: number
  /** Runs reconcile once in the background at start when the index has no object row. */
  reconcileAtStart?: boolean
  /** `/metrics` without credentials (for a Prometheus on a private network). */
  metricsPublic?: boolean
  /** Resumable uploads idle this long (ms) are removed with their staged bytes; default 24 hours. */
  uploadExpiry?: number
  /** How long API keys and bucket policies read from the index are reused (ms); default 5 s, 0 never. */
  cacheTtl?: number
  /** Request bodies that stall fail after this long (ms); default 30 s (see `BodyLimits`). */
  bodyIdleTimeout?: number
  /** Uploads one credential may stream at once; default 256. */
  uploadsPerCredential?: number
}

/** The service's own URL when none is configured: the address it listens on. */
function listeningUrl(app: App): string | undefined {
  const address = app.server.address() as AddressInfo | string | null
  if (address === null || typeof address === 'string') return undefined
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return `http://${host}:${address.port}`
}

/**
 * What the routes share. Coffer's signer is made once the service's public URL is known: configured,
 * or the address it listens on (an ephemeral port is known only after `listen`).
 */
function createContext(app: App, options: AppOptions): AppContext {
  let signer: UrlSigner | undefined
  const cache = options.cacheTtl === undefined ? {} : { cacheTtl: options.cacheTtl }
  const keys = new ApiKeyStore(options.db, cache)
  const index = new ObjectIndex(options.db)
  const buckets = new BucketStore(options.db, cache)
  return {
    storage: options.storage,
    db: options.db,
    index,
    usage: new UsageRecorder(options.db),
    metrics: new Metrics(options.db),
    metricsPublic: options.metricsPublic ?? false,
    reconcile: oneAtATime((opts = {}) => reconcile(options.storage, index, buckets, opts)),
    buckets,
    keys,
    bodyLimits: new BodyLimits({
      ...(options.bodyIdleTimeout === undefined ? {} : { idleTimeout: options.bodyIdleTimeout }),
      ...(options.uploadsPerCredential === undefined
        ? {}
        : { uploadsPerCredential: options.uploadsPerCredential }),
    }),
    auth: new Authenticator(keys, options.jwt === undefined ? undefined : createJwtVerifier(options.jwt)),
    signer() {
      if (signer) return signer
      const base = options.publicUrl ?? listeningUrl(app) ?? 'http://127.0.0.1:7373'
      const created = new UrlSigner(options.signingSecret, `${base}/signed`)
      if (options.publicUrl !== undefined || app.server.listening) signer = created
      return created
    },
  }
}

/** Counts a finished request in the metrics, and in the usage statistics when it used a bucket. */
function countRequest(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): void {
  const route = request.routeOptions.url ?? 'unmatched'
  const labels = { method: request.method, route, status: String(reply.statusCode) }
  ctx.metrics.requests.inc(labels)
  ctx.metrics.latency.observe(labels, reply.elapsedTime / 1000)
  const objects = objectsOfRequest(request)
  if (objects === undefined) return
  // Object routes end in a wildcard; their GET bodies are the objects served.
  const served =
    request.method === 'GET' && route.endsWith('/*') && (reply.statusCode === 200 || reply.statusCode === 206)
  const bytesOut = served ? Number(reply.getHeader('content-length') ?? 0) || 0 : 0
  const bucket = objects.bucket.name
  ctx.usage.record(bucket, objects.actor.id, objects.bytesIn, bytesOut)
  if (objects.bytesIn > 0) ctx.metrics.bytesIn.inc({ bucket }, objects.bytesIn)
  if (bytesOut > 0) ctx.metrics.bytesOut.inc({ bucket }, bytesOut)
}

/**
 * Reconcile in the background: a call during a run is skipped, what it repaired is logged, and
 * closing the app stops a run at its next page.
 */
function backgroundReconcile(app: App, ctx: AppContext): () => void {
  const stop = new AbortController()
  let running: Promise<void> | undefined
  app.addHook('onClose', async () => {
    stop.abort()
    await running
  })
  return () => {
    if (running || stop.signal.aborted) return
    running = ctx
      .reconcile({ signal: stop.signal })
      .then(
        (report) => app.log.info({ reconcile: { ...report, changes: undefined } }, 'reconcile done'),
        (error: unknown) => {
          if (!stop.signal.aborted) app.log.warn({ err: error }, 'reconcile failed')
        },
      )
      .finally(() => {
        running = undefined
      })
  }
}

/**
 * The HTTP service on a storage and an index. The caller listens, and closes the storage and the
 * index after `app.close()`. Request bodies of object routes are streams, never buffered; JSON bodies
 * are limited to 1 MiB.
 */
export async function createApp(options: AppOptions): Promise<App> {
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

  const ctx = createContext(app, options)

  await app.register(swagger, {
    openapi: {
      // 3.1: JSON Schema's `type: [t, 'null']` is valid there as it is (3.0 has `nullable`).
      openapi: '3.1.0',
      info: { title: 'Coffer', version: '0.1.0', description: 'File storage for applications' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  registerErrorHandling(app)
  app.addHook('onRoute', watchParsedBodies(ctx.bodyLimits))
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  // Hooks with callbacks, not async: they run on every request, and a promise each costs more.
  app.addHook('onSend', (_request, reply, payload, done) => {
    // Per the Fetch standard, nosniff stops browsers from running a response as another type.
    reply.header('x-content-type-options', 'nosniff')
    // While shutting down, in-flight responses end their connection, so `close` needn't wait for
    // keep-alive connections to time out.
    if (closing) reply.header('connection', 'close')
    done(null, payload)
  })
  app.addHook('onResponse', (request, reply, done) => {
    logRequest(request, reply)
    countRequest(ctx, request, reply)
    done()
  })
  // The last counts go to the index at close; an index already gone loses them, nothing else.
  app.addHook('onClose', () =>
    ctx.usage.flush().catch((error: unknown) => app.log.warn({ err: error }, 'usage counts not written')),
  )
  const reconcileNow = backgroundReconcile(app, ctx)
  if (options.reconcileEvery !== undefined) {
    const timer = setInterval(reconcileNow, options.reconcileEvery)
    timer.unref()
    app.addHook('onClose', async () => clearInterval(timer))
  }
  // An empty index beside a store that may hold objects (a new install, or an upgrade from a
  // version without the index): fill it from the store once, in the background.
  if (options.reconcileAtStart && !(await ctx.index.hasRows())) reconcileNow()

  await app.register(multipart, { limits: FORM_LIMITS, throwFileSizeLimit: true })
  healthRoutes(app, ctx)
  indexRoutes(app, ctx)
  bucketRoutes(app, ctx)
  keyRoutes(app, ctx)
  objectCollectionRoutes(app, ctx)
  formUploadRoutes(app, ctx)
  await webRoutes(app)
  await app.register(async (scope) => {
    // Object bodies are the objects: no parser reads them, the routes stream them to the storage.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null))
    const raw = scope.withTypeProvider<TypeBoxTypeProvider>()
    objectRoutes(raw, ctx)
    accessRoutes(raw, ctx)
  })
  let uploadsDir = options.uploadsDir
  if (uploadsDir === undefined) {
    const temp = await mkdtemp(join(tmpdir(), 'coffer-uploads-'))
    app.addHook('onClose', () => rm(temp, { recursive: true, force: true }))
    uploadsDir = temp
  }
  const uploads = new TusUploads(ctx, uploadsDir)
  const expiry = options.uploadExpiry ?? 24 * 3600_000
  const sweeper = setInterval(
    () => {
      uploads.sweep(expiry).then(
        (removed) => removed > 0 && app.log.info({ removed }, 'abandoned uploads removed'),
        (error: unknown) => app.log.warn({ err: error }, 'sweeping abandoned uploads failed'),
      )
    },
    Math.min(expiry / 4, 3600_000),
  )
  sweeper.unref()
  app.addHook('onClose', async () => clearInterval(sweeper))
  await app.register(async (scope) => {
    // tus reads the bodies (application/offset+octet-stream) from the raw request.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null))
    tusRoutes(scope.withTypeProvider<TypeBoxTypeProvider>(), uploads)
  })
  return app
}
