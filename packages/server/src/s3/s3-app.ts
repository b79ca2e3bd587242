import { randomBytes } from 'node:crypto'
import { isStorageError } from '@coffer/core'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, {
  type FastifyBaseLogger,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify'
import type { AppContext } from '../http/app-context.ts'
import { registerCors, s3Scope } from '../http/cors.ts'
import { lingerOnClose } from '../http/lingering-close.ts'
import { malformedContentType } from '../http/receive-object.ts'
import { describeError } from '../http/request-log.ts'
import { registerResponseHooks } from '../http/response-hooks.ts'
import type { App } from '../http/typed-app.ts'
import { bucketOperation, listBuckets } from './bucket-operations.ts'
import { acceptWhatS3Accepts } from './lenient-requests.ts'
import { objectOperation } from './object-operations.ts'
import { principalOf } from './principal-of.ts'
import { parseRequestTarget } from './request-target.ts'
import { type S3Call, s3Path } from './s3-call.ts'
import { s3ClientErrorHandler } from './s3-client-errors.ts'
import { S3Error } from './s3-error.ts'
import { type S3Subject, s3ErrorOf } from './s3-error-of.ts'
import { errorXml } from './s3-xml.ts'
import { createSigV4Verifier, type SigV4Verifier } from './sigv4-verifier.ts'
import { bucketOfRequest, pathStylePath } from './virtual-host.ts'

/** Options of {@link createS3App}. */
export interface S3AppOptions {
  /** The region clients sign for (`COFFER_S3_REGION`); default `us-east-1`. */
  region?: string
  /** Virtual-host style: the bucket is the first labels of `<bucket>.<domain>` (`COFFER_S3_DOMAIN`). */
  domain?: string
}

async function handle(
  ctx: AppContext,
  verify: SigV4Verifier,
  { region, domain }: { region: string; domain: string | undefined },
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const url = request.raw.url ?? '/'
  const verified = await verify({ method: request.raw.method ?? 'GET', url, headers: request.headers })
  const principal = verified === undefined ? undefined : await principalOf(ctx, verified.accessKeyId)
  const target = verified?.target ?? parseRequestTarget(url)
  const { bucket, key } = s3Path(pathStylePath(target.rawPath, request.headers.host, domain))
  const call: S3Call = { ctx, request, reply, region, target, verified, principal, bucket, key }
  if (bucket === undefined) {
    if (request.method === 'GET') return listBuckets(call)
    throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.')
  }
  if (key === undefined) return bucketOperation(call, bucket)
  return objectOperation(call, bucket, key)
}

/**
 * `x-amz-request-id`s: unique per request and never secret, so a random start and a counter rather
 * than random bytes for each (which showed in a small GET's profile).
 */
function requestIds(): () => string {
  let next = randomBytes(6).readUIntBE(0, 6)
  return () => (next++).toString(16).toUpperCase().padStart(16, '0')
}

/** The request's path in path style, without its query: what errors name as their resource. */
function resourceOf(request: FastifyRequest, domain: string | undefined): string {
  return pathStylePath((request.raw.url ?? '/').split('?')[0] ?? '/', request.headers.host, domain)
}

/**
 * What an error is about, from the request's path: an upload, a key, or a bucket. A key or upload
 * that is not found is its bucket's when the bucket is not there (S3 answers `NoSuchBucket` to a
 * PUT or GET in a deleted bucket, not `NoSuchKey`): only then, on the failure's path, it is looked up.
 */
async function subjectOf(ctx: AppContext, error: unknown, request: FastifyRequest, resource: string) {
  const query = (request.raw.url ?? '/').split('?')[1] ?? ''
  const inBucket = /^\/([^/]+)\/./.exec(resource)
  if (inBucket === null) return 'bucket'
  const subject: S3Subject = /(^|&)uploadId=/.test(query) ? 'upload' : 'object'
  if (!isStorageError(error, 'NotFound')) return subject
  const bucket = await ctx.buckets.recent(safeDecode(inBucket[1] ?? '')).catch(() => undefined)
  return bucket === undefined ? 'bucket' : subject
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * The S3-compatible endpoint: its own listener (`COFFER_S3_PORT`, 7375), path-style at the root, so
 * that S3 clients that refuse an endpoint with a path work, and virtual-host style too when a domain
 * is configured. Every request is verified (SigV4 header, presigned URL, or a POST form's signed
 * policy) against the S3 credentials of API keys, and every operation goes through the same bucket
 * layer as the REST API: scopes, policies, quotas, index, audit. Errors are S3 XML documents; every
 * answer carries `x-amz-request-id`. Shares the API app's context, logger and CORS rules.
 */
export async function createS3App(
  ctx: AppContext,
  logger: FastifyBaseLogger,
  options: S3AppOptions = {},
): Promise<App> {
  const region = options.region ?? 'us-east-1'
  const domain = options.domain
  const verify = createSigV4Verifier({
    region,
    lookupSecret: async (id) => (await ctx.s3Credentials.find(id))?.secretAccessKey,
  })
  const app: App = Fastify({
    loggerInstance: logger.child({ origin: 's3' }),
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    // The S3 code reads the query as the client signed it (`parseRequestTarget`), never Fastify's
    // parse of it, which showed in a small presigned GET's profile.
    routerOptions: { maxParamLength: 8192, querystringParser: () => ({}) },
    clientErrorHandler: s3ClientErrorHandler,
    http: { requireHostHeader: false },
    genReqId: requestIds(),
    frameworkErrors: (_error, request, reply) => {
      const s3 = new S3Error('InvalidArgument', 'the request cannot be routed')
      reply.raw.writeHead(s3.status, { 'content-type': 'application/xml', 'x-amz-request-id': request.id })
      reply.raw.end(errorXml(s3, { requestId: request.id }))
    },
  }).withTypeProvider<TypeBoxTypeProvider>()
  registerResponseHooks(app, ctx)
  // The buckets' CORS rules, as on the content origin: browser POST uploads and presigned PUTs.
  await registerCors(app, (path, request) =>
    s3Scope(ctx.cors, bucketOfRequest(path, request.headers.host, domain)),
  )
  // Bodies are objects or small documents, read by the operations from the raw request.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, _payload, done) => done(null))
  acceptWhatS3Accepts(app)
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-amz-request-id', request.id)
    done()
  })
  app.setErrorHandler(async (error, request, reply) => {
    const resource = resourceOf(request, domain)
    // A Content-Type Fastify refused before the route is answered as the API answers it.
    const s3 = s3ErrorOf(
      malformedContentType(error, request) ?? error,
      await subjectOf(ctx, error, request, resource),
    )
    // A failure of the service is logged for the operator, without stacks (they name the install's
    // paths); NotImplemented (501) is a refusal, answered and not logged.
    if (s3.status >= 500 && s3.code !== 'NotImplemented')
      request.log.error(
        { cause: error instanceof Error ? describeError(error) : { message: String(error) } },
        's3 request failed',
      )
    // A request whose body was not read (refused before it) closes its connection, lingering so
    // that the close does not reset the answer away before the client reads it.
    if (!request.raw.complete) {
      reply.header('connection', 'close')
      lingerOnClose(request.raw)
    }
    if (reply.sent) return reply
    const body = request.method === 'HEAD' ? undefined : errorXml(s3, { resource, requestId: request.id })
    return reply.code(s3.status).type('application/xml').send(body)
  })
  // Other methods (PATCH, OPTIONS without CORS…): S3's answer, never the router's, which echoes the
  // URL and with it a presigned request's signature.
  app.setNotFoundHandler(() => {
    throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.')
  })
  app.route({
    method: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
    url: '/*',
    handler: (request, reply) => handle(ctx, verify, { region, domain }, request, reply),
  })
  return app
}
