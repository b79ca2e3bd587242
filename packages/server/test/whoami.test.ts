import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from './harness.ts'

const JWT_SECRET = 'a-test-secret-of-at-least-32-bytes!!'

describe('GET /v1/whoami', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness('sqlite', { jwt: { secret: JWT_SECRET } })
  })
  afterAll(() => h?.close())

  it("names an API key, with its scopes and expiry, and only the key's own", async () => {
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString()
    const created = await h.fetch('/v1/keys', {
      method: 'POST',
      token: h.admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'viewer',
        scopes: [{ bucket: 'documents', prefix: 'p1', permissions: ['read', 'list'] }],
        expiresAt,
      }),
    })
    const { token, key } = (await created.json()) as { token: string; key: { id: string } }
    const response = await h.fetch('/v1/whoami', { token })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      kind: 'key',
      id: key.id,
      name: 'viewer',
      scopes: [{ bucket: 'documents', prefix: 'p1/', permissions: ['read', 'list'] }],
      expiresAt,
    })
    const admin = (await (await h.fetch('/v1/whoami', { token: h.admin })).json()) as { expiresAt?: string }
    expect(admin).toMatchObject({ kind: 'key', scopes: [{ bucket: '*', permissions: ['admin'] }] })
    expect(admin.expiresAt).toBeUndefined()
  })

  it("names a JWT's issuer and subject, with its expiry", async () => {
    const exp = Math.floor(Date.now() / 1000) + 300
    const jwt = await new SignJWT({ scopes: [{ bucket: 'documents', permissions: ['read'] }] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('user-7')
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode(JWT_SECRET))
    const body = (await (await h.fetch('/v1/whoami', { token: jwt })).json()) as Record<string, unknown>
    expect(body).toMatchObject({ kind: 'jwt', expiresAt: new Date(exp * 1000).toISOString() })
    expect(String(body.name)).toContain('user-7')
  })

  it('refuses a request without a valid credential', async () => {
    expect((await h.fetch('/v1/whoami')).status).toBe(401)
    expect((await h.fetch('/v1/whoami', { token: 'cfr_nope' })).status).toBe(401)
  })
})
