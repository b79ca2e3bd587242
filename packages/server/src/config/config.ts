import { join, resolve } from 'node:path'
import { BOOLEAN_SPELLINGS, parseBoolean, StorageError } from '@coffer/core'
import type { S3DriverOptions } from '@coffer/driver-s3'
import { s3OptionsFromEnv } from '@coffer/driver-s3/options-from-env'
import { parseOriginList } from './origins.ts'

type Env = Record<string, string | undefined>

/** How the service authenticates JWTs signed by the application's backend. */
export interface JwtConfig {
  /** HS256 shared secret (at least 32 bytes). */
  secret?: string
  /** URL of a JSON Web Key Set, for asymmetric keys. */
  jwksUrl?: string
  /** Required `iss` claim, when set. */
  issuer?: string
  /** Required `aud` claim, when set. */
  audience?: string
  /** `COFFER_JWT_MAX_SECONDS`: the longest lifetime a token may claim (`exp` - `iat`); default 1 day. */
  maxSeconds?: number
}

/** Which driver the service stores objects with, and its settings. */
export type DriverConfig =
  | { kind: 'fs'; root: string }
  | { kind: 'memory' }
  | {
      kind: 's3'
      options: S3DriverOptions
      /** Facts for one line each at start, not errors (no static credentials). */
      warnings: string[]
    }

/** The service's configuration, read from the environment and validated at start. */
export interface Config {
  /** `PORT`, default 7373. */
  port: number
  /** `HOST`, default 127.0.0.1. */
  host: string
  /** `COFFER_DATA_DIR`, default `./data`, made absolute: files, the SQLite index, the signing secret. */
  dataDir: string
  /**
   * `COFFER_DRIVER`: `fs` (default; files under `<dataDir>/files`), `memory`, or `s3` with the
   * driver's options from the AWS and `COFFER_S3_*` variables (see `s3OptionsFromEnv`).
   */
  driver: DriverConfig
  /** `COFFER_ADMIN_KEY`: an admin API key the operator chooses; else one is generated on first start. */
  adminKey?: string
  /** `COFFER_SIGNING_SECRET`; generated and kept in the data dir when unset. */
  signingSecret?: string
  /** `COFFER_PUBLIC_URL`: where clients reach the service; default http://HOST:PORT. */
  publicUrl?: string
  /** `COFFER_CONTENT_PORT`: the content origin's port; default PORT + 1 (7374), any free port when PORT is 0. */
  contentPort: number
  /** `COFFER_S3_PORT`: the S3 endpoint's port; default PORT + 2 (7375), any free port when PORT is 0. */
  s3Port: number
  /** `COFFER_S3_REGION`: the region S3 clients sign for at the S3 endpoint; default us-east-1. */
  s3Region?: string
  /**
   * `COFFER_S3_DOMAIN`: the S3 endpoint also answers virtual-host style requests, the bucket named
   * by the host (`<bucket>.<domain>`, a wildcard DNS name pointing at the endpoint); unset: path
   * style only. Path style keeps working either way.
   */
  s3Domain?: string
  /**
   * `COFFER_CONTENT_URL`: where browsers reach the content origin (signed and public URLs name it),
   * another origin than the API's; default http://HOST:COFFER_CONTENT_PORT.
   */
  contentUrl?: string
  /**
   * `COFFER_SITES_DOMAIN`: sites are served on the content origin at `<site>.<domain>` (a wildcard
   * DNS name pointing at it); default `sites.localhost`, which browsers resolve to loopback.
   */
  sitesDomain?: string
  /** `DATABASE_URL`: Postgres; SQLite in the data dir when unset. */
  databaseUrl?: string
  /** `COFFER_SIGNED_GETS_DIRECT=true`: signed GETs straight to S3, which no revoke stops (default false). */
  directSignedGets?: boolean
  /** `COFFER_JWT_SECRET`, `COFFER_JWKS_URL`, `COFFER_JWT_ISSUER`, `COFFER_JWT_AUDIENCE`, `COFFER_JWT_MAX_SECONDS`. */
  jwt?: JwtConfig
  /** `COFFER_LOG_LEVEL`, default info. */
  logLevel: string
  /** `COFFER_LOG_FORMAT`: `json`, or `pretty` (lines for people); default pretty on a terminal, else json. */
  logFormat: 'json' | 'pretty'
  /**
   * `COFFER_RECONCILE_MINUTES` (default 10, 0 turns it off): run reconcile in the background every so
   * many minutes, so that drift a failure left (an object stored whose index write was lost) heals.
   */
  reconcileEvery?: number
  /** `COFFER_EXPIRY_SWEEP_SECONDS` (default 60): how often expired objects are deleted. */
  expirySweepEvery?: number
  /** `COFFER_METRICS_PUBLIC=true`: `/metrics` without credentials. */
  metricsPublic?: boolean
  /** `COFFER_UPLOAD_EXPIRY_HOURS` (default 24): resumable uploads idle this long are removed. */
  uploadExpiry?: number
  /**
   * `COFFER_UPLOAD_STAGING_MIB` (default 16384) and `COFFER_UPLOAD_SESSIONS` (default 50): what all
   * unfinished resumable uploads may stage on disk together, and how many one credential may have open.
   */
  uploadLimits?: { totalBytes?: number; sessionsPerCredential?: number }
  /**
   * `COFFER_CACHE_SECONDS` (default 5, 0 turns it off): how long API keys and bucket policies read
   * from the index are reused. A change made through this process applies at once; one written by
   * another process sharing the index (a second instance on Postgres) within this time.
   */
  cacheTtl?: number
  /** `COFFER_BODY_IDLE_SECONDS` (default 30): a request body that brings no byte this long fails (408). */
  bodyIdleTimeout?: number
  /** `COFFER_BODY_MIN_RATE` (default 1024): bytes per second an upload's body must average over each idle window (408). */
  bodyMinRate?: number
  /** `COFFER_UPLOADS_PER_CREDENTIAL` (default 256): uploads one credential may stream at once (429 past it). */
  uploadsPerCredential?: number
  /**
   * `COFFER_CORS_ORIGINS`: comma-separated origins (https://app.example.com) whose pages may call
   * Coffer from a browser where a bucket's policy names none; default none.
   */
  corsOrigins?: string[]
  /** `COFFER_RENDER_CACHE_BYTES` (default 1 GiB): bytes the variant cache holds before the least recently used renders go. */
  renderCacheBytes?: number
}

/** Where sites are served when `COFFER_SITES_DOMAIN` is unset: browsers resolve `*.localhost` to loopback. */
export const DEFAULT_SITES_DOMAIN = 'sites.localhost'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

/** Reads a URL; returns a problem description, or the URL without trailing slashes. */
function checkUrl(name: string, value: string, protocols: string[]): string | { problem: string } {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return { problem: `${name} must be an absolute URL` }
  }
  if (!protocols.includes(url.protocol)) {
    return { problem: `${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}` }
  }
  if (['COFFER_PUBLIC_URL', 'COFFER_CONTENT_URL'].includes(name) && (url.search !== '' || url.hash !== '')) {
    return { problem: `${name} must not have a query or fragment` }
  }
  return value.replace(/\/+$/, '')
}

/**
 * A host name of labels of a-z, 0-9 and "-" (RFC 1123), at least two, short enough that a site's or
 * a bucket's label in front of it still makes a host name.
 */
function isDomainName(text: string): boolean {
  return /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/.test(text) && text.length <= 190
}

/**
 * Reads the configuration from the environment. Every bad value is named in one `InvalidArgument`
 * error, one line each, so an operator fixes them all at once. Values of secrets are never echoed.
 */
export function loadConfig(env: Env = process.env, terminal = process.stdout.isTTY === true): Config {
  const problems: string[] = []
  const text = (name: string) => {
    const value = env[name]?.trim()
    return value === undefined || value === '' ? undefined : value
  }

  const portText = text('PORT') ?? '7373'
  const port = Number(portText)
  const portValid = /^\d+$/.test(portText) && port <= 65535
  if (!portValid) problems.push('PORT must be a whole number from 0 to 65535')

  // Beside the API's port by default; with PORT=0 (tests, `coffer serve --port 0`) any free port.
  const besideApi = !portValid ? 7374 : port === 0 ? 0 : port + 1
  const contentPortText = text('COFFER_CONTENT_PORT') ?? String(besideApi)
  const contentPort = Number(contentPortText)
  if (!/^\d+$/.test(contentPortText) || contentPort > 65535)
    problems.push('COFFER_CONTENT_PORT must be a whole number from 0 to 65535')
  else if (contentPort !== 0 && contentPort === port)
    problems.push('COFFER_CONTENT_PORT must differ from PORT: user content has a listener of its own')

  const s3PortText = text('COFFER_S3_PORT') ?? String(!portValid ? 7375 : port === 0 ? 0 : port + 2)
  const s3Port = Number(s3PortText)
  if (!/^\d+$/.test(s3PortText) || s3Port > 65535)
    problems.push('COFFER_S3_PORT must be a whole number from 0 to 65535')
  else if (s3Port !== 0 && (s3Port === port || s3Port === contentPort))
    problems.push(
      'COFFER_S3_PORT must differ from PORT and COFFER_CONTENT_PORT: the S3 endpoint has a listener of its own',
    )
  const s3Region = text('COFFER_S3_REGION')
  if (s3Region !== undefined && !/^[a-z0-9-]{1,32}$/.test(s3Region))
    problems.push('COFFER_S3_REGION must be a region name such as us-east-1')

  const dataDir = resolve(text('COFFER_DATA_DIR') ?? './data')
  const driverName = (text('COFFER_DRIVER') ?? 'fs').toLowerCase()
  let driver: DriverConfig = { kind: 'fs', root: join(dataDir, 'files') }
  if (driverName === 'memory') driver = { kind: 'memory' }
  else if (driverName === 's3') {
    const s3 = s3OptionsFromEnv(env)
    problems.push(...s3.problems)
    driver = { kind: 's3', options: s3.options, warnings: s3.warnings }
  } else if (driverName !== 'fs') problems.push('COFFER_DRIVER must be fs, memory or s3')

  const logLevel = (text('COFFER_LOG_LEVEL') ?? 'info').toLowerCase()
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`COFFER_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`)
  const logFormat = (text('COFFER_LOG_FORMAT') ?? (terminal ? 'pretty' : 'json')).toLowerCase()
  if (logFormat !== 'json' && logFormat !== 'pretty')
    problems.push('COFFER_LOG_FORMAT must be json or pretty')

  const config: Config = {
    port,
    host: text('HOST') ?? '127.0.0.1',
    dataDir,
    driver,
    logLevel,
    logFormat: logFormat === 'pretty' ? 'pretty' : 'json',
    contentPort,
    s3Port,
    ...(s3Region === undefined ? {} : { s3Region }),
  }

  /** A whole number from `min` to `max` in variable `name`, or undefined when unset or invalid. */
  const whole = (name: string, min: number, max: number, unit: string): number | undefined => {
    const value = text(name)
    if (value === undefined) return undefined
    if (/^\d+$/.test(value) && Number(value) >= min && Number(value) <= max) return Number(value)
    problems.push(`${name} must be a whole number of ${unit} from ${min} to ${max}`)
    return undefined
  }
  const minutes = whole('COFFER_RECONCILE_MINUTES', 0, 10080, 'minutes') ?? 10
  if (minutes > 0) config.reconcileEvery = minutes * 60_000
  const sweepSeconds = whole('COFFER_EXPIRY_SWEEP_SECONDS', 1, 86400, 'seconds')
  if (sweepSeconds !== undefined) config.expirySweepEvery = sweepSeconds * 1000
  const expiryHours = whole('COFFER_UPLOAD_EXPIRY_HOURS', 1, 8760, 'hours')
  if (expiryHours !== undefined) config.uploadExpiry = expiryHours * 3600_000
  const stagingMib = whole('COFFER_UPLOAD_STAGING_MIB', 1, 1024 ** 3, 'MiB')
  const sessions = whole('COFFER_UPLOAD_SESSIONS', 1, 1_000_000, 'uploads')
  if (stagingMib !== undefined || sessions !== undefined) {
    config.uploadLimits = {
      ...(stagingMib === undefined ? {} : { totalBytes: stagingMib * 1024 ** 2 }),
      ...(sessions === undefined ? {} : { sessionsPerCredential: sessions }),
    }
  }
  const cacheSeconds = whole('COFFER_CACHE_SECONDS', 0, 300, 'seconds')
  if (cacheSeconds !== undefined) config.cacheTtl = cacheSeconds * 1000
  const idleSeconds = whole('COFFER_BODY_IDLE_SECONDS', 1, 3600, 'seconds')
  if (idleSeconds !== undefined) config.bodyIdleTimeout = idleSeconds * 1000
  const minRate = whole('COFFER_BODY_MIN_RATE', 1, 1024 ** 3, 'bytes per second')
  if (minRate !== undefined) config.bodyMinRate = minRate
  const uploads = whole('COFFER_UPLOADS_PER_CREDENTIAL', 1, 10000, 'uploads')
  if (uploads !== undefined) config.uploadsPerCredential = uploads
  const corsOrigins = text('COFFER_CORS_ORIGINS')
  if (corsOrigins !== undefined) {
    try {
      config.corsOrigins = parseOriginList(corsOrigins)
    } catch (error) {
      problems.push(`COFFER_CORS_ORIGINS: ${(error as Error).message}`)
    }
  }
  const renderCache = whole('COFFER_RENDER_CACHE_BYTES', 0, Number.MAX_SAFE_INTEGER, 'bytes')
  if (renderCache !== undefined) config.renderCacheBytes = renderCache
  /** A boolean in variable `name` (see `parseBoolean`), or undefined when unset or invalid. */
  const flag = (name: string): boolean | undefined => {
    const value = text(name)
    if (value === undefined) return undefined
    const parsed = parseBoolean(value)
    if (parsed === undefined) problems.push(`${name} must be ${BOOLEAN_SPELLINGS}`)
    return parsed
  }
  if (flag('COFFER_SIGNED_GETS_DIRECT') === true) config.directSignedGets = true
  const metricsPublic = flag('COFFER_METRICS_PUBLIC')
  if (metricsPublic !== undefined) config.metricsPublic = metricsPublic

  const adminKey = text('COFFER_ADMIN_KEY')
  if (adminKey !== undefined) {
    if (adminKey.length < 32 || !/^[\x21-\x7e]+$/.test(adminKey)) {
      problems.push('COFFER_ADMIN_KEY must be at least 32 printable characters without spaces')
    } else config.adminKey = adminKey
  }
  const signingSecret = text('COFFER_SIGNING_SECRET')
  if (signingSecret !== undefined) {
    if (Buffer.byteLength(signingSecret) < 32)
      problems.push('COFFER_SIGNING_SECRET must be at least 32 bytes')
    else config.signingSecret = signingSecret
  }

  const urls = [
    ['COFFER_PUBLIC_URL', ['http:', 'https:']],
    ['COFFER_CONTENT_URL', ['http:', 'https:']],
    ['DATABASE_URL', ['postgres:', 'postgresql:']],
    ['COFFER_JWKS_URL', ['http:', 'https:']],
  ] as const
  const parsed: Partial<Record<(typeof urls)[number][0], string>> = {}
  for (const [name, protocols] of urls) {
    const value = text(name)
    if (value === undefined) continue
    const checked = checkUrl(name, value, [...protocols])
    if (typeof checked === 'string') parsed[name] = checked
    else problems.push(checked.problem)
  }
  if (parsed.COFFER_PUBLIC_URL !== undefined) config.publicUrl = parsed.COFFER_PUBLIC_URL
  if (parsed.COFFER_CONTENT_URL !== undefined) {
    // The content origin exists to keep tenants' bytes off the origin that holds credentials.
    const api = parsed.COFFER_PUBLIC_URL
    if (api !== undefined && new URL(api).origin === new URL(parsed.COFFER_CONTENT_URL).origin)
      problems.push('COFFER_CONTENT_URL must be another origin (host name) than COFFER_PUBLIC_URL')
    else config.contentUrl = parsed.COFFER_CONTENT_URL
  }
  if (parsed.DATABASE_URL !== undefined) config.databaseUrl = text('DATABASE_URL') as string
  const sitesDomain = text('COFFER_SITES_DOMAIN')?.toLowerCase()
  if (sitesDomain !== undefined) {
    if (isDomainName(sitesDomain)) config.sitesDomain = sitesDomain
    else problems.push('COFFER_SITES_DOMAIN must be a host name such as sites.example.com')
  }
  const s3Domain = text('COFFER_S3_DOMAIN')?.toLowerCase()
  if (s3Domain !== undefined) {
    if (isDomainName(s3Domain)) config.s3Domain = s3Domain
    else problems.push('COFFER_S3_DOMAIN must be a host name such as s3.example.com')
  }
  // A site named after the first label of the API's or the content origin's host name would be that
  // origin: its pages would run where credentials live, or where every signed and public URL points.
  const domain = config.sitesDomain ?? DEFAULT_SITES_DOMAIN
  for (const name of ['COFFER_PUBLIC_URL', 'COFFER_CONTENT_URL'] as const) {
    const url = parsed[name]
    const host = url === undefined ? undefined : new URL(url).hostname.toLowerCase().replace(/\.$/, '')
    if (host !== undefined && (host === domain || host.endsWith(`.${domain}`)))
      problems.push(`COFFER_SITES_DOMAIN (${domain}) must not hold ${name}'s host name`)
  }

  const jwt: JwtConfig = {}
  const jwtSecret = text('COFFER_JWT_SECRET')
  if (jwtSecret !== undefined) {
    if (Buffer.byteLength(jwtSecret) < 32)
      problems.push('COFFER_JWT_SECRET must be at least 32 bytes (HS256)')
    else jwt.secret = jwtSecret
  }
  if (parsed.COFFER_JWKS_URL !== undefined) jwt.jwksUrl = parsed.COFFER_JWKS_URL
  if (jwt.secret !== undefined && jwt.jwksUrl !== undefined) {
    problems.push('set COFFER_JWT_SECRET or COFFER_JWKS_URL, not both')
  }
  const issuer = text('COFFER_JWT_ISSUER')
  const audience = text('COFFER_JWT_AUDIENCE')
  if (issuer !== undefined) jwt.issuer = issuer
  if (audience !== undefined) jwt.audience = audience
  if ((issuer ?? audience) !== undefined && jwt.secret === undefined && jwt.jwksUrl === undefined) {
    problems.push('COFFER_JWT_ISSUER and COFFER_JWT_AUDIENCE need COFFER_JWT_SECRET or COFFER_JWKS_URL')
  }
  const maxSeconds = whole('COFFER_JWT_MAX_SECONDS', 1, 31_536_000, 'seconds')
  if (maxSeconds !== undefined) jwt.maxSeconds = maxSeconds
  if (maxSeconds !== undefined && jwt.secret === undefined && jwt.jwksUrl === undefined) {
    problems.push('COFFER_JWT_MAX_SECONDS needs COFFER_JWT_SECRET or COFFER_JWKS_URL')
  }
  if (Object.keys(jwt).length > 0) config.jwt = jwt

  if (problems.length > 0) {
    throw new StorageError('InvalidArgument', `invalid configuration:\n  - ${problems.join('\n  - ')}`)
  }
  return config
}
