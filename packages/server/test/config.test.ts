import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../src/index.ts'

describe('configuration from the environment', () => {
  it('has working defaults: fs under ./data, SQLite, 127.0.0.1:7373, reconcile every 10 minutes', () => {
    expect(loadConfig({})).toEqual({
      port: 7373,
      host: '127.0.0.1',
      dataDir: resolve('data'),
      driver: { kind: 'fs', root: resolve('data', 'files') },
      logLevel: 'info',
      logFormat: 'json',
      contentPort: 7374,
      s3Port: 7375,
      reconcileEvery: 600_000,
    })
  })

  it('writes logs for people on a terminal and JSON elsewhere, unless COFFER_LOG_FORMAT says', () => {
    expect(loadConfig({}, true).logFormat).toBe('pretty')
    expect(loadConfig({ COFFER_LOG_FORMAT: 'json' }, true).logFormat).toBe('json')
    expect(loadConfig({ COFFER_LOG_FORMAT: 'Pretty' }, false).logFormat).toBe('pretty')
    expect(() => loadConfig({ COFFER_LOG_FORMAT: 'xml' })).toThrow('COFFER_LOG_FORMAT must be json or pretty')
  })

  it('turns the background reconcile off with COFFER_RECONCILE_MINUTES=0', () => {
    expect(loadConfig({ COFFER_RECONCILE_MINUTES: '0' }).reconcileEvery).toBeUndefined()
  })

  it('reads every setting', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      COFFER_DATA_DIR: '/srv/coffer',
      COFFER_DRIVER: 'S3',
      AWS_S3_BUCKET: 'coffer-objects',
      AWS_REGION: 'eu-west-3',
      COFFER_S3_ENDPOINT: 'https://s3.example.com',
      COFFER_S3_FORCE_PATH_STYLE: 'YES',
      COFFER_ADMIN_KEY: 'k'.repeat(40),
      COFFER_SIGNING_SECRET: 's'.repeat(32),
      COFFER_PUBLIC_URL: 'https://files.example.com/',
      COFFER_CONTENT_URL: 'https://files-usercontent.example.com/',
      DATABASE_URL: 'postgres://coffer@db:5432/coffer',
      COFFER_JWT_SECRET: 'j'.repeat(32),
      COFFER_JWT_ISSUER: 'app',
      COFFER_LOG_LEVEL: 'warn',
      COFFER_RECONCILE_MINUTES: '60',
      COFFER_METRICS_PUBLIC: 'true',
      COFFER_UPLOAD_EXPIRY_HOURS: '48',
      COFFER_CACHE_SECONDS: '0',
    })
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/srv/coffer',
      driver: {
        kind: 's3',
        options: {
          bucket: 'coffer-objects',
          region: 'eu-west-3',
          endpoint: 'https://s3.example.com',
          forcePathStyle: true,
        },
      },
      publicUrl: 'https://files.example.com',
      contentPort: 8081,
      s3Port: 8082,
      contentUrl: 'https://files-usercontent.example.com',
      databaseUrl: 'postgres://coffer@db:5432/coffer',
      jwt: { secret: 'j'.repeat(32), issuer: 'app' },
      logLevel: 'warn',
      reconcileEvery: 3_600_000,
      metricsPublic: true,
      uploadExpiry: 48 * 3600_000,
      cacheTtl: 0,
    })
  })

  it('names every bad value at once, one line each, without echoing secrets', () => {
    const secret = 'short-secret-value'
    let message = ''
    try {
      loadConfig({
        PORT: '70000',
        COFFER_DRIVER: 'ftp',
        COFFER_ADMIN_KEY: secret,
        COFFER_SIGNING_SECRET: secret,
        COFFER_PUBLIC_URL: 'files.example.com',
        DATABASE_URL: 'mysql://db/coffer',
        COFFER_JWT_SECRET: 'j'.repeat(32),
        COFFER_JWKS_URL: 'https://idp.example.com/jwks.json',
        COFFER_LOG_LEVEL: 'loud',
        COFFER_RECONCILE_MINUTES: '0.5',
        COFFER_METRICS_PUBLIC: 'maybe',
        COFFER_UPLOAD_EXPIRY_HOURS: '-1',
        COFFER_CACHE_SECONDS: '600',
      })
    } catch (error) {
      expect(error).toMatchObject({ name: 'StorageError', code: 'InvalidArgument' })
      message = (error as Error).message
    }
    const lines = message.split('\n').slice(1)
    expect(lines).toEqual([
      '  - PORT must be a whole number from 0 to 65535',
      '  - COFFER_DRIVER must be fs, memory or s3',
      '  - COFFER_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
      '  - COFFER_RECONCILE_MINUTES must be a whole number of minutes from 0 to 10080',
      '  - COFFER_UPLOAD_EXPIRY_HOURS must be a whole number of hours from 1 to 8760',
      '  - COFFER_CACHE_SECONDS must be a whole number of seconds from 0 to 300',
      '  - COFFER_METRICS_PUBLIC must be true/false, 1/0 or yes/no',
      '  - COFFER_ADMIN_KEY must be at least 32 printable characters without spaces',
      '  - COFFER_SIGNING_SECRET must be at least 32 bytes',
      '  - COFFER_PUBLIC_URL must be an absolute URL',
      '  - DATABASE_URL must start with postgres:// or postgresql://',
      '  - set COFFER_JWT_SECRET or COFFER_JWKS_URL, not both',
    ])
    expect(message).not.toContain(secret)
  })

  it("reads the S3 driver's variables in the same pass, and names their problems with the others", () => {
    let message = ''
    try {
      loadConfig({ COFFER_DRIVER: 's3', COFFER_S3_ACL: 'sometimes', COFFER_LOG_LEVEL: 'loud' })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message.split('\n').slice(1)).toEqual([
      '  - AWS_S3_BUCKET is required for the S3 driver',
      '  - COFFER_S3_ACL must be true/false, 1/0 or yes/no',
      '  - COFFER_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    ])
    const config = loadConfig({ COFFER_DRIVER: 's3', AWS_S3_BUCKET: 'b' })
    // No static credentials: the SDK's chain, said once at start, not an error.
    expect(config.driver).toMatchObject({
      kind: 's3',
      warnings: [expect.stringContaining('AWS_ACCESS_KEY_ID')],
    })
    expect(loadConfig({ COFFER_METRICS_PUBLIC: 'Yes' }).metricsPublic).toBe(true)
  })

  it('puts the content origin beside the API: the next port, any free port with PORT=0', () => {
    expect(loadConfig({ PORT: '0' }).contentPort).toBe(0)
    expect(loadConfig({ COFFER_CONTENT_PORT: '9000' }).contentPort).toBe(9000)
    expect(loadConfig({ PORT: '0' }).s3Port).toBe(0)
    expect(loadConfig({ COFFER_S3_PORT: '9001', COFFER_S3_REGION: 'eu-west-1' })).toMatchObject({
      s3Port: 9001,
      s3Region: 'eu-west-1',
    })
    expect(() => loadConfig({ COFFER_S3_PORT: '7373' })).toThrow(/COFFER_S3_PORT/)
    expect(loadConfig({ COFFER_S3_DOMAIN: 'S3.Example.com' }).s3Domain).toBe('s3.example.com')
    expect(loadConfig({}).s3Domain).toBeUndefined()
    expect(() => loadConfig({ COFFER_S3_DOMAIN: 's3.example.com:7375' })).toThrow(/COFFER_S3_DOMAIN/)
    expect(() => loadConfig({ PORT: '9000', COFFER_CONTENT_PORT: '9000' })).toThrow(/must differ from PORT/)
    expect(() => loadConfig({ PORT: '65535' })).toThrow(/COFFER_CONTENT_PORT must be a whole number/)
    // One origin for both would put tenants' bytes beside the UI's credentials again.
    expect(() =>
      loadConfig({
        COFFER_PUBLIC_URL: 'https://files.example.com',
        COFFER_CONTENT_URL: 'https://files.example.com/content',
      }),
    ).toThrow(/another origin/)
    expect(() => loadConfig({ COFFER_CONTENT_URL: 'https://c.example.com/?x=1' })).toThrow(
      /query or fragment/,
    )
  })

  it('reads the sites domain, which must be a host name apart from the API', () => {
    expect(loadConfig({}).sitesDomain).toBeUndefined()
    expect(loadConfig({ COFFER_SITES_DOMAIN: 'Sites.Example.com' }).sitesDomain).toBe('sites.example.com')
    expect(() => loadConfig({ COFFER_SITES_DOMAIN: 'localhost' })).toThrow(
      /COFFER_SITES_DOMAIN must be a host name/,
    )
    expect(() => loadConfig({ COFFER_SITES_DOMAIN: '*.example.com' })).toThrow(/must be a host name/)
    expect(() =>
      loadConfig({ COFFER_SITES_DOMAIN: 'example.com', COFFER_PUBLIC_URL: 'https://files.example.com' }),
    ).toThrow(/must not hold COFFER_PUBLIC_URL/)
    // A site named "files" would otherwise take over the content origin: its script would run where
    // every signed and public URL points (a service worker for "/" sees them all).
    expect(() => loadConfig({ COFFER_CONTENT_URL: 'http://files.sites.localhost:7374' })).toThrow(
      /must not hold COFFER_CONTENT_URL's host name/,
    )
    expect(() =>
      loadConfig({ COFFER_SITES_DOMAIN: 'u.example.com', COFFER_CONTENT_URL: 'https://c.u.example.com' }),
    ).toThrow(/must not hold COFFER_CONTENT_URL/)
    expect(loadConfig({ COFFER_CONTENT_URL: 'https://usercontent.example.com' }).contentUrl).toBe(
      'https://usercontent.example.com',
    )
  })

  it('refuses issuer or audience without a key to check tokens with', () => {
    expect(() => loadConfig({ COFFER_JWT_AUDIENCE: 'coffer' })).toThrow(
      /need COFFER_JWT_SECRET or COFFER_JWKS_URL/,
    )
  })

  it('reads the JWT lifetime cap and the direct signed GETs, and checks them', () => {
    const config = loadConfig({
      COFFER_JWT_SECRET: 'j'.repeat(32),
      COFFER_JWT_MAX_SECONDS: '3600',
      COFFER_SIGNED_GETS_DIRECT: 'true',
    })
    expect(config).toMatchObject({ jwt: { maxSeconds: 3600 }, directSignedGets: true })
    expect(() => loadConfig({ COFFER_JWT_MAX_SECONDS: '3600' })).toThrow(/needs COFFER_JWT_SECRET/)
    expect(() => loadConfig({ COFFER_JWT_SECRET: 'j'.repeat(32), COFFER_JWT_MAX_SECONDS: '0' })).toThrow(
      /COFFER_JWT_MAX_SECONDS must be a whole number/,
    )
    expect(() => loadConfig({ COFFER_SIGNED_GETS_DIRECT: 'always' })).toThrow(/true\/false, 1\/0 or yes\/no/)
  })
})

describe('request body limits from the environment', () => {
  it('reads the idle timeout of bodies and the uploads per credential, and refuses bad values', () => {
    expect(loadConfig({ COFFER_BODY_IDLE_SECONDS: '5', COFFER_UPLOADS_PER_CREDENTIAL: '8' })).toMatchObject({
      bodyIdleTimeout: 5000,
      uploadsPerCredential: 8,
    })
    expect(loadConfig({ COFFER_BODY_MIN_RATE: '100' })).toMatchObject({ bodyMinRate: 100 })
    expect(() => loadConfig({ COFFER_BODY_MIN_RATE: '0' })).toThrow(/COFFER_BODY_MIN_RATE must be/)
    expect(() => loadConfig({ COFFER_BODY_IDLE_SECONDS: '0' })).toThrow(/COFFER_BODY_IDLE_SECONDS must be/)
    expect(() => loadConfig({ COFFER_UPLOADS_PER_CREDENTIAL: 'many' })).toThrow(
      /COFFER_UPLOADS_PER_CREDENTIAL must be/,
    )
  })
})
