import { randomBytes } from 'node:crypto'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, {
  type FastifyBaseLogger,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify'
import type { Principal } from '../domain/auth/scopes.ts'
import type { AppContext } from '../http/app-context.ts'
import { clientErrorHandler } from '../http/error-handling.ts'
import { registerResponseHooks } from '../http/response-hooks.ts'
import type { App } from '../http/typed-app.ts'
import { bucketOperation, listBuckets } from './bucket-operations.ts'
import { objectOperation } from './object-operations.ts'
import { parseRequestTarget } from './request-target.ts'
import { type S3Call, s3Path } from './s3-call.ts'
import { S3Error } from './s3-error.ts'
import { type S3Subject, s3ErrorOf } from './s3-error-of.ts'
import { errorXml } from './s3-xml.ts'
import { createSigV4Verifier, type SigV4Verifier } from './sigv4-verifier.ts'

/** Options of {@link createS3App}. */
export interface S3AppOptions {
  /** The region clients sign for (`COFFER_S3_REGION`); default `us-east-1`. */
  region?: string
}

/**
 * The API key behind an access key id whose signature held, as a principal with the key's scopes;
 * the key is noted as used.
 */
async function principalOf(ctx: AppContext, accessKeyId: string): Promise<Principal> {
  const identity = await ctx.s3Credentials.find(accessKeyId)
  if (identity === undefined)
    throw new S3Error(
      'InvalidAccessKeyId',
      'The AWS access key Id you provided does not exist in our records.',
    )
  ctx.keys.noteUse(identity.key.id)
  const principal: Principal = { kind: 'key', id: identity.key.id, scopes: identity.key.scopes }
  if (identity.key.expiresAt !== undefined) principal.expiresAt = Date.parse(identity.key.expiresAt)
  return principal
}

async function handle(
  ctx: AppContext,
  verify: SigV4Verifier,
  region: string,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const url = request.raw.url ?? '/'
  const verified = await verify({ method: request.raw.method ?? 'GET', url, headers: request.headers })
  const principal = verified === undefined ? undefined : await principalOf(ctx, verified.accessKeyId)
  const target = verified?.target ?? parseRequestTarget(url)
  const { bucket, key } = s3Path(target.rawPath)
  const call: S3Call = { ctx, request, reply, region, target, verified, principal, bucket, key }
  if (bucket === undefined) {
    if (request.method === 'GET') return listBuckets(call)
    throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.')
  }
  if (key === undefined) return bucketOperation(call, bucket)
  return objectOperation(call, bucket, key)
}

/** What an error is about, from the request's path: its key, its bucket, or the service. */
function subjectOf(request: FastifyRequest): S3Subject {
  const path = (request.raw.url ?? '/').split('?')[0] ?? '/'
  return /^\/[^/]+\/./.test(path) ? 'object' : 'bucket'
}

/**
 * The S3-compatible endpoint: its own listener (`COFFER_S3_PORT`, 7375), path-style at the root, so
 * that S3 clients that refuse an endpoint with a path work. Every request is verified (SigV4 header
 * or presigned URL) against the S3 credentials of API keys, and every operation goes through the
 * same bucket layer as the REST API: scopes, policies, quotas, index, audit. Errors are S3 XML
 * documents; every answer carries `x-amz-request-id`. Shares the API app's context and logger.
 */
export async function createS3App(
  ctx: AppContext,
  logger: FastifyBaseLogger,
  options: S3AppOptions = {},
): Promise<App> {
  const region = options.region ?? 'us-east-1'
  const verify = createSigV4Verifier({
    region,
    lookupSecret: async (id) => (await ctx.s3Credentials.find(id))?.secretAccessKey,
  })
  const app: App = Fastify({
    loggerInstance: logger.child({ origin: 's3' }),
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    routerOptions: { maxParamLength: 8192 },
    clientErrorHandler,
    http: { requireHostHeader: false },
    genReqId: () => randomBytes(8).toString('hex').toUpperCase(),
    frameworkErrors: (_error, request, reply) => {
      const s3 = new S3Error('InvalidArgument', 'the request cannot be routed')
      reply.raw.writeHead(s3.status, { 'content-type': 'application/xml', 'x-amz-request-id': request.id })
      reply.raw.end(errorXml(s3, { requestId: request.id }))
    },
  }).withTypeProvider<TypeBoxTypeProvider>()
  registerResponseHooks(app, ctx)
  // Bodies are objects or small documents, read by the operations from the raw request.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, _payload, done) => done(null))
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-amz-request-id', request.id)
    done()
  })
  app.setErrorHandler((error, request, reply) => {
    const s3 = s3ErrorOf(error, subjectOf(request))
    if (s3.status >= 500) request.log.error({ err: error }, 's3 request failed')
    // A request whose body was not read (refused before it) closes its connection: no reading on.
    if (!request.raw.complete) reply.header('connection', 'close')
    if (reply.sent) return
    const resource = (request.raw.url ?? '/').split('?')[0]
    const body =
      request.method === 'HEAD'
        ? undefined
        : errorXml(s3, { ...(resource ? { resource } : {}), requestId: request.id })
    reply.code(s3.status).type('application/xml').send(body)
  })
  app.route({
    method: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
    url: '/*',
    handler: (request, reply) => handle(ctx, verify, region, request, reply),
  })
  return app
}
