import fastifyCors, { type FastifyCorsOptions } from '@fastify/cors'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import {
  allowsOrigin,
  CORS_METHODS,
  type CorsMethod,
  type CorsRule,
  DEFAULT_MAX_AGE,
} from '../domain/buckets/cors-rule.ts'

/** Where a request's CORS rule comes from, by what its path names. */
export interface CorsRules {
  /** The rule of a bucket: its policy's, else the service's (`COFFER_CORS_ORIGINS`). */
  forBucket(bucket: string): Promise<CorsRule | undefined>
  /** The rule of paths that name no bucket (`/v1/uploads`, `/v1/whoami`): any bucket's origin, or the service's. */
  forService(): Promise<CorsRule | undefined>
}

/** A path's CORS scope: the rule to apply, the methods the path answers, the headers to expose. */
interface Scope {
  rule: Promise<CorsRule | undefined>
  methods: readonly CorsMethod[]
  expose: readonly string[]
}

/**
 * Response headers pages may read beyond the safelisted ones. tus clients need the upload's URL and
 * offsets; `*` adds every other (metadata) header where browsers honour the wildcard, which they do
 * only without credentials, as here.
 */
const EXPOSE_OBJECT = ['ETag', 'Content-Range', 'Accept-Ranges', 'Content-Disposition', 'X-Coffer-Key', '*']
const EXPOSE_TUS = [
  'Location',
  'Upload-Offset',
  'Upload-Length',
  'Upload-Metadata',
  'Upload-Expires',
  'Tus-Resumable',
  'Tus-Version',
  'Tus-Max-Size',
  'Tus-Extension',
  ...EXPOSE_OBJECT,
]

/**
 * The scope of a path on the content origin: `/public`, `/signed` and `/render` name their bucket
 * second, `/render-signed/<transform>/` third (a page that fetches a signed render reads it too).
 */
export function contentScope(rules: CorsRules, path: string): Scope | undefined {
  const segments = path.split('/')
  const root = segments[1] ?? ''
  const bucket = root === 'render-signed' ? segments[3] : segments[2]
  if (
    bucket === undefined ||
    bucket === '' ||
    !['public', 'signed', 'render', 'render-signed'].includes(root)
  )
    return undefined
  const methods: CorsMethod[] = root === 'signed' ? ['GET', 'HEAD', 'PUT'] : ['GET', 'HEAD']
  return { rule: rules.forBucket(bucket), methods, expose: EXPOSE_OBJECT }
}

/** What S3 clients in a page read besides the safelisted headers: the object's, and S3's own. */
const EXPOSE_S3 = [...EXPOSE_OBJECT, 'Location', 'x-amz-request-id', 'x-amz-version-id']

/**
 * The scope of a request to the S3 endpoint that names `bucket` (in its path, or its host in
 * virtual-host style): the bucket's rule, for S3's methods (a browser POST upload, a presigned PUT).
 */
export function s3Scope(rules: CorsRules, bucket: string | undefined): Scope | undefined {
  if (bucket === undefined || bucket === '') return undefined
  return {
    rule: rules.forBucket(bucket),
    methods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
    expose: EXPOSE_S3,
  }
}

/** The scope of a path on the API origin: `/v1/buckets/NAME/…` its bucket's, the rest of `/v1` the service's. */
export function apiScope(rules: CorsRules, path: string): Scope | undefined {
  const [, version, collection, bucket] = path.split('/')
  if (version !== 'v1') return undefined
  if (collection === 'buckets' && bucket !== undefined && bucket !== '')
    return { rule: rules.forBucket(bucket), methods: CORS_METHODS, expose: EXPOSE_OBJECT }
  const expose = collection === 'uploads' ? EXPOSE_TUS : EXPOSE_OBJECT
  return { rule: rules.forService(), methods: CORS_METHODS, expose }
}

/**
 * Answers CORS on a listener (with @fastify/cors): a preflight from an origin the path's rule allows
 * gets the methods and headers it may use, and the request that follows gets
 * `Access-Control-Allow-Origin` and the headers it may read; any other origin gets no CORS header,
 * so its browser refuses (a preflight falls through to the route, which answers it as it would
 * without CORS). Every answer varies on `Origin` for caches. Never `Allow-Credentials`: Coffer reads
 * bearer tokens and signatures, not cookies.
 */
export async function registerCors(
  app: FastifyInstance,
  scopeOf: (path: string, request: FastifyRequest) => Scope | undefined,
): Promise<void> {
  const refuse: FastifyCorsOptions = { origin: false }
  await app.register(fastifyCors, {
    hideOptionsRoute: true,
    delegator: async (request: FastifyRequest): Promise<FastifyCorsOptions> => {
      const origin = request.headers.origin
      if (origin === undefined) return refuse
      const scope = scopeOf(request.url.split('?')[0] ?? '', request)
      const rule = await scope?.rule
      if (scope === undefined || rule === undefined || !allowsOrigin(rule, origin)) return refuse
      const methods = scope.methods.filter((m) => rule.methods?.includes(m) ?? true)
      return {
        origin,
        methods: methods.join(', '),
        // null (the plugin's default) answers a preflight with the headers it asks for.
        allowedHeaders: (rule.headers?.join(', ') ?? null) as string,
        exposedHeaders: scope.expose.join(', '),
        maxAge: rule.maxAge ?? DEFAULT_MAX_AGE,
        credentials: false,
        // Only a request naming the method it will send is a preflight; a plain OPTIONS (tus's
        // discovery) reaches its route, with the CORS headers of a simple request.
        preflight: request.headers['access-control-request-method'] !== undefined,
        strictPreflight: false,
      }
    },
  } as FastifyCorsOptions)
}
