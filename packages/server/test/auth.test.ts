import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashToken } from '../src/index.ts'
import { type Harness, json, PERSISTENCES, startHarness } from './harness.ts'

const JWT_SECRET = 'a-test-secret-of-at-least-32-bytes!!'
/** How long the service reuses a key it read (ms): short here, so that the tests can outlast it. */
const CACHE_TTL = 400

function jwt(
  claims: Record<string, unknown>,
  opts: { exp?: number | null; secret?: string; sub?: string | null; iat?: number | null } = {},
): Promise<string> {
  const token = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' })
  if (opts.sub !== null) token.setSubject(opts.sub ?? 'user-7')
  if (opts.iat !== null) token.setIssuedAt(opts.iat)
  if (opts.exp !== null) token.setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 300)
  return token.sign(new TextEncoder().encode(opts.secret ?? JWT_SECRET))
}

describe.each(PERSISTENCES)('authentication and scopes (%s index)', (persistence) => {
  let h: Harness
  const obj = (bucket: string, key: string) => `/v1/buckets/${bucket}/objects/${key}`

  beforeAll(async () => {
    h = await startHarness(persistence, { jwt: { secret: JWT_SECRET }, cacheTtl: CACHE_TTL })
    for (const key of ['p1/a.txt', 'p2/b.txt']) {
      await h.fetch(obj('documents', key), { method: 'PUT', token: h.admin, body: key })
    }
  })
  afterAll(() => h?.close())

  it('denies by default: no token and malformed or unknown tokens get 401 with WWW-Authenticate', async () => {
    const cases: [Record<string, string>, string][] = [
      [{}, 'this needs an Authorization'],
      [{ authorization: 'Basic dXNlcjpwYXNz' }, 'must be "Bearer <token>"'],
      [{ authorization: 'Bearer cfr_unknown' }, 'not valid, revoked or expired'],
      [{ authorization: 'Bearer nonsense' }, 'not valid, revoked or expired'],
    ]
    for (const [headers, detail] of cases) {
      const response = await h.fetch(obj('documents', 'p1/a.txt'), { headers })
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe('Bearer')
      const problem = (await response.json()) as { code: string; detail: string }
      expect(problem.code).toBe('MissingCredentials')
      expect(problem.detail).toContain(detail)
    }
    expect((await h.fetch('/v1/buckets')).status).toBe(401)
    expect((await h.fetch('/v1/keys')).status).toBe(401)
  })

  it('creates keys whose token is shown once and only their hash is stored', async () => {
    const created = await h.fetch(
      '/v1/keys',
      json({ name: 'ci', scopes: [{ bucket: 'documents', permissions: ['read'] }] }, { token: h.admin }),
    )
    expect(created.status).toBe(201)
    const { key, token } = (await created.json()) as { key: { id: string }; token: string }
    expect(token).toMatch(/^cfr_[\w-]{43}$/)
    const listed = await (await h.fetch('/v1/keys', { token: h.admin })).text()
    expect(listed).toContain(key.id)
    expect(listed).not.toContain(token)
    const rows = await h.db.selectFrom('api_keys').selectAll().execute()
    expect(JSON.stringify(rows)).not.toContain(token)
    expect((await h.fetch(obj('documents', 'p1/a.txt'), { token })).status).toBe(200)
  })

  it('refuses revoked and expired keys', async () => {
    const token = await h.key([{ bucket: '*', permissions: ['read'] }])
    const id = (
      (await (await h.fetch('/v1/keys', { token: h.admin })).json()) as { keys: { id: string }[] }
    ).keys.at(-1)?.id
    // In use (so the service remembers it), then revoked: refused at once.
    expect((await h.fetch(obj('documents', 'p1/a.txt'), { token })).status).toBe(200)
    expect((await h.fetch(`/v1/keys/${id}`, { method: 'DELETE', token: h.admin })).status).toBe(204)
    expect((await h.fetch(obj('documents', 'p1/a.txt'), { token })).status).toBe(401)
    expect((await h.fetch('/v1/keys/key_unknown', { method: 'DELETE', token: h.admin })).status).toBe(404)

    // A key in use stops at its expiry, though the service remembers it.
    const expiresAt = new Date(Date.now() + 1500).toISOString()
    const created = await h.fetch(
      '/v1/keys',
      json(
        { name: 'short', scopes: [{ bucket: '*', permissions: ['read'] }], expiresAt },
        { token: h.admin },
      ),
    )
    expect(created.status).toBe(201)
    const { token: short } = (await created.json()) as { token: string }
    expect((await h.fetch(obj('documents', 'p1/a.txt'), { token: short })).status).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, Date.parse(expiresAt) - Date.now() + 50))
    expect((await h.fetch(obj('documents', 'p1/a.txt'), { token: short })).status).toBe(401)
  })

  it('applies a change another process writes into the index within the cache time', async () => {
    const expiring = await h.key([{ bucket: '*', permissions: ['read'] }])
    expect((await h.fetch(obj('documents', 'p1/a.txt'), { token: expiring })).status).toBe(200)
    const past = new Date(Date.now() - 1000).toISOString()
    await h.db
      .updateTable('api_keys')
      .set({ expires_at: past })
      .where('token_hash', '=', hashToken(expiring))
      .execute()
    await new Promise((resolve) => setTimeout(resolve, CACHE_TTL + 50))
    expect((await h.fetch(obj('documents', 'p1/a.txt'), { token: expiring })).status).toBe(401)

    // A bucket made private behind the service's back stops anonymous reads within the cache time.
    expect(
      (await h.fetch('/v1/buckets', json({ name: 'opened', public: true }, { token: h.admin }))).status,
    ).toBe(201)
    expect((await h.fetch(obj('opened', 'a.txt'), { method: 'PUT', token: h.admin, body: 'a' })).status).toBe(
      200,
    )
    expect((await h.fetch(`/public/opened/a.txt`)).status).toBe(200)
    await h.db.updateTable('buckets').set({ public: 0 }).where('name', '=', 'opened').execute()
    await new Promise((resolve) => setTimeout(resolve, CACHE_TTL + 50))
    expect((await h.fetch(`/public/opened/a.txt`)).status).toBe(404)

    // Through the API, the change applies at once.
    const reopened = json({ public: true }, { method: 'PATCH', token: h.admin })
    expect((await h.fetch('/v1/buckets/opened', reopened)).status).toBe(200)
    expect((await h.fetch(`/public/opened/a.txt`)).status).toBe(200)
    const closed = json({ public: false }, { method: 'PATCH', token: h.admin })
    expect((await h.fetch('/v1/buckets/opened', closed)).status).toBe(200)
    expect((await h.fetch(`/public/opened/a.txt`)).status).toBe(404)
  })

  it('keeps a scoped key inside its bucket and prefix: 403 elsewhere for read, list, write and delete', async () => {
    const token = await h.key([
      { bucket: 'documents', prefix: 'p1/', permissions: ['read', 'list', 'write', 'delete'] },
    ])
    expect((await h.fetch(obj('documents', 'p1/a.txt'), { token })).status).toBe(200)
    expect((await h.fetch('/v1/buckets/documents/objects?prefix=p1/', { token })).status).toBe(200)
    const denied: [string, RequestInit][] = [
      [obj('documents', 'p2/b.txt'), {}],
      [obj('exports', 'p1/a.txt'), {}],
      ['/v1/buckets/documents/objects', {}],
      ['/v1/buckets/documents/objects?prefix=p2/', {}],
      ['/v1/buckets/exports/objects?prefix=p1/', {}],
      [obj('documents', 'p2/new.txt'), { method: 'PUT', body: 'x' }],
      [obj('exports', 'p1/new.txt'), { method: 'PUT', body: 'x' }],
      [obj('documents', 'p2/b.txt'), { method: 'DELETE' }],
      ['/v1/buckets/documents/delete', json({ keys: ['p1/a.txt', 'p2/b.txt'] })],
      ['/v1/buckets/documents/delete', json({ prefix: 'p' })],
      ['/v1/buckets/documents/copy', json({ from: 'p2/b.txt', to: 'p1/stolen.txt' })],
      ['/v1/buckets/documents/move', json({ from: 'p1/a.txt', to: 'p2/moved.txt' })],
      ['/v1/buckets/documents/sign', json({ key: 'p1/a.txt', method: 'GET', expiresIn: 60 })],
      ['/v1/buckets', json({ name: 'mine' })],
      ['/v1/buckets/documents', json({ public: true }, { method: 'PATCH' })],
      ['/v1/keys', {}],
    ]
    for (const [path, init] of denied) {
      const response = await h.fetch(path, { ...init, token })
      expect(response.status, `${init.method ?? 'GET'} ${path}`).toBe(403)
      expect(((await response.json()) as { code: string }).code).toBe('AccessDenied')
    }
    expect(await (await h.fetch(obj('documents', 'p2/b.txt'), { token: h.admin })).text()).toBe('p2/b.txt')
    expect((await h.fetch(obj('documents', 'p1/a.txt'), { token: h.admin })).status).toBe(200)
  })

  it('matches a scope prefix at a folder boundary: users/jose cannot write users/josephine/', async () => {
    const jose = await h.key([{ bucket: 'documents', prefix: 'users/jose', permissions: ['write', 'list'] }])
    const put = (key: string, token: string) =>
      h.fetch(obj('documents', key), { method: 'PUT', token, body: 'x' })
    expect((await put('users/jose/x', jose)).status).toBe(200)
    const stolen = await put('users/josephine/x', jose)
    expect(stolen.status).toBe(403)
    expect(((await stolen.json()) as { code: string }).code).toBe('AccessDenied')
    expect((await h.fetch('/v1/buckets/documents/objects?prefix=users/jose', { token: jose })).status).toBe(
      403,
    )
    expect((await h.fetch('/v1/buckets/documents/objects?prefix=users/jose/', { token: jose })).status).toBe(
      200,
    )
    // Signing and tus creation check the same rule.
    const joseSigner = await h.key([
      { bucket: 'documents', prefix: 'users/jose', permissions: ['sign', 'write'] },
    ])
    const signOther = json({ key: 'users/josephine/x', method: 'PUT', expiresIn: 60 }, { token: joseSigner })
    expect((await h.fetch('/v1/buckets/documents/sign', signOther)).status).toBe(403)
    const meta = (key: string) => `bucket ${btoa('documents')},key ${btoa(key)}`
    const tus = (key: string) =>
      h.fetch('/v1/uploads', {
        method: 'POST',
        token: jose,
        headers: { 'tus-resumable': '1.0.0', 'upload-length': '1', 'upload-metadata': meta(key) },
      })
    expect((await tus('users/josephine/t')).status).toBe(403)
    expect((await tus('users/jose/t')).status).toBe(201)
    // A trailing * asks for a plain string prefix, on purpose.
    const jo = await h.key([{ bucket: 'documents', prefix: 'users/jo*', permissions: ['write'] }])
    expect((await put('users/josephine/y', jo)).status).toBe(200)
    expect((await put('users/other/y', jo)).status).toBe(403)
  })

  it('shows a prefix-scoped key no bucket-wide counters or other owners', async () => {
    const scoped = await h.key([{ bucket: 'documents', prefix: 'p1/', permissions: ['read', 'list'] }])
    const whole = await h.key([{ bucket: 'documents', permissions: ['read', 'list'] }])
    type Listed = { buckets: { name: string; usedBytes?: number; usedObjects?: number }[] }
    const listed = (await (await h.fetch('/v1/buckets', { token: scoped })).json()) as Listed
    const one = (await (await h.fetch('/v1/buckets/documents', { token: scoped })).json()) as object
    for (const bucket of [listed.buckets.find((b) => b.name === 'documents'), one]) {
      expect(bucket).toBeDefined()
      expect(bucket).not.toHaveProperty('usedBytes')
      expect(bucket).not.toHaveProperty('usedObjects')
    }
    const usage = await h.fetch('/v1/buckets/documents/usage', { token: scoped })
    expect(usage.status).toBe(403)
    expect(await usage.text()).not.toContain('key:')
    const wide = (await (await h.fetch('/v1/buckets/documents', { token: whole })).json()) as object
    expect(wide).toHaveProperty('usedObjects')
    expect((await h.fetch('/v1/buckets/documents/usage', { token: whole })).status).toBe(200)
  })

  it('answers 403, not 404, for buckets outside the scope, so their existence does not leak', async () => {
    const token = await h.key([{ bucket: 'documents', permissions: ['read'] }])
    expect((await h.fetch(obj('nosuch', 'x'), { token })).status).toBe(403)
    expect((await h.fetch(obj('exports', 'x'), { token })).status).toBe(403)
    expect((await h.fetch('/v1/buckets/nosuch', { token })).status).toBe(403)
  })

  it('accepts HS256 JWTs with scopes and refuses expired, unsigned-exp and forged ones', async () => {
    const scopes = [{ bucket: 'documents', prefix: 'p1/', permissions: ['read'] }]
    const good = await jwt({ scopes })
    expect((await h.fetch(obj('documents', 'p1/a.txt'), { token: good })).status).toBe(200)
    expect((await h.fetch(obj('documents', 'p2/b.txt'), { token: good })).status).toBe(403)
    const refused = [
      [await jwt({ scopes }, { exp: Math.floor(Date.now() / 1000) - 10 }), 'expired'],
      [await jwt({ scopes }, { exp: null }), '"exp" claim'],
      [await jwt({ scopes }, { secret: 'another-secret-of-at-least-32-bytes!' }), 'signature'],
      [await jwt({ scopes: [{ bucket: 'documents', permissions: ['root'] }] }), '"scopes" claim'],
      [await jwt({}), '"scopes" claim'],
    ]
    for (const [token, why] of refused as [string, string][]) {
      const response = await h.fetch(obj('documents', 'p1/a.txt'), { token })
      expect(response.status, why).toBe(401)
      expect(((await response.json()) as { detail: string }).detail, why).toContain(why)
    }
  })

  it('refuses JWTs without sub, living longer than a day, or issued in the future', async () => {
    const scopes = [{ bucket: 'documents', prefix: 'p1/', permissions: ['read'] }]
    const now = Math.floor(Date.now() / 1000)
    const refused = [
      [await jwt({ scopes }, { sub: null }), '"sub" claim'],
      [await jwt({ scopes }, { exp: now + 10 * 365 * 86_400 }), 'longer than 86400 s'],
      [await jwt({ scopes }, { iat: null, exp: now + 86_400 + 120 }), 'longer than 86400 s'],
      [await jwt({ scopes }, { iat: now + 3600, exp: now + 7200 }), 'issued in the future'],
    ]
    for (const [token, why] of refused as [string, string][]) {
      const response = await h.fetch(obj('documents', 'p1/a.txt'), { token })
      expect(response.status, why).toBe(401)
      expect(((await response.json()) as { detail: string }).detail, why).toContain(why)
    }
    const day = await jwt({ scopes }, { iat: now, exp: now + 86_400 })
    expect((await h.fetch(obj('documents', 'p1/a.txt'), { token: day })).status).toBe(200)
  })

  it('records a JWT caller by its issuer and whole subject, never cut', async () => {
    const scopes = [{ bucket: 'documents', prefix: 'jwt/', permissions: ['write'] }]
    const long = 'u'.repeat(200)
    const owners = []
    for (const [key, sub] of [
      ['jwt/1', `${long}-1`],
      ['jwt/2', `${long}-2`],
    ] as const) {
      const token = await jwt({ scopes, iss: 'https://auth.example' }, { sub })
      expect((await h.fetch(obj('documents', key), { method: 'PUT', token, body: 'x' })).status).toBe(200)
      const audit = await h.fetch(`/v1/audit?bucket=documents&key=${key}`, { token: h.admin })
      owners.push(((await audit.json()) as { events: { actor: string }[] }).events[0]?.actor)
    }
    expect(owners[0]).toMatch(/^jwt:/)
    expect(owners[0]).not.toBe(owners[1])
    const short = await jwt({ scopes, iss: 'https://auth.example' }, { sub: 'user-9' })
    await h.fetch(obj('documents', 'jwt/3'), { method: 'PUT', token: short, body: 'x' })
    const audit = await h.fetch('/v1/audit?bucket=documents&key=jwt/3', { token: h.admin })
    expect(((await audit.json()) as { events: { actor: string }[] }).events[0]?.actor).toBe(
      'jwt:https%3A%2F%2Fauth.example/user-9',
    )
  })

  it("cuts a signed URL a JWT asks for to the JWT's exp, and records the JWT as its actor", async () => {
    const scopes = [{ bucket: 'documents', prefix: 'byjwt/', permissions: ['sign', 'write'] }]
    const exp = Math.floor(Date.now() / 1000) + 300
    const token = await jwt({ scopes }, { exp, sub: 'signer-1' })
    const response = await h.fetch(
      '/v1/buckets/documents/sign',
      json({ key: 'byjwt/a.txt', method: 'PUT', expiresIn: 604_800 }, { token }),
    )
    expect(response.status).toBe(200)
    const { url, expiresAt } = (await response.json()) as { url: string; expiresAt: string }
    expect(Date.parse(expiresAt)).toBeLessThanOrEqual(exp * 1000)
    expect(Number(new URL(url).searchParams.get('X-Coffer-Expires'))).toBeLessThanOrEqual(exp)
    expect((await fetch(url, { method: 'PUT', body: 'x' })).status).toBe(200)
    const audit = await h.fetch('/v1/audit?bucket=documents&key=byjwt/a.txt', { token: h.admin })
    const [event] = ((await audit.json()) as { events: { actor: string; detail: unknown }[] }).events
    expect(event?.actor).toBe('jwt:/signer-1')
    expect(event?.detail).toMatchObject({ via: 'signed-url' })
  })

  it('lets anyone read a public bucket, but not list, write or read private ones', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')
    await h.fetch(obj('avatars', 'u7.png'), { method: 'PUT', token: h.admin, body: png })
    const viaApi = await h.fetch(obj('avatars', 'u7.png'))
    expect(viaApi.status).toBe(200)
    expect(viaApi.headers.get('content-type')).toBe('image/png')
    const viaPublic = await h.fetch('/public/avatars/u7.png')
    expect(Buffer.from(await viaPublic.arrayBuffer())).toEqual(png)
    expect((await h.fetch('/public/avatars/u7.png', { method: 'HEAD' })).headers.get('content-length')).toBe(
      '16',
    )
    expect((await h.fetch('/public/documents/p1/a.txt')).status).toBe(404)
    expect((await h.fetch('/public/nosuch/x')).status).toBe(404)
    expect((await h.fetch('/v1/buckets/avatars/objects')).status).toBe(401)
    expect((await h.fetch(obj('avatars', 'x.png'), { method: 'PUT', body: png })).status).toBe(401)
  })
})
