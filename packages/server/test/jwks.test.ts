import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from './harness.ts'

describe('JWTs verified with a JWKS URL', () => {
  let h: Harness
  let jwks: Server
  let privateKey: CryptoKey

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256')
    privateKey = pair.privateKey
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ keys: [jwk] }))
    })
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve))
    const { port } = jwks.address() as AddressInfo
    h = await startHarness('sqlite', {
      jwt: { jwksUrl: `http://127.0.0.1:${port}/jwks.json`, issuer: 'app-backend', audience: 'coffer' },
    })
    await h.fetch('/v1/buckets/documents/objects/p/doc.txt', { method: 'PUT', token: h.admin, body: 'doc' })
  })
  afterAll(async () => {
    await h?.close()
    jwks?.close()
  })

  const token = (claims: Record<string, unknown>, issuer = 'app-backend') =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(issuer)
      .setSubject('user-1')
      .setAudience('coffer')
      .setExpirationTime('5m')
      .sign(privateKey)

  it('accepts a token signed with a key of the set, within its scopes', async () => {
    const jwt = await token({ scopes: [{ bucket: 'documents', prefix: 'p/', permissions: ['read'] }] })
    expect(await (await h.fetch('/v1/buckets/documents/objects/p/doc.txt', { token: jwt })).text()).toBe(
      'doc',
    )
    expect((await h.fetch('/v1/buckets/documents/objects', { token: jwt })).status).toBe(403)
  })

  it('refuses another issuer and HS256 tokens', async () => {
    const scopes = [{ bucket: '*', permissions: ['admin'] }]
    const foreign = await token({ scopes }, 'someone-else')
    expect((await h.fetch('/v1/keys', { token: foreign })).status).toBe(401)
    const hs = await new SignJWT({ scopes })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('app-backend')
      .setSubject('user-1')
      .setAudience('coffer')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('x'.repeat(32)))
    expect((await h.fetch('/v1/keys', { token: hs })).status).toBe(401)
  })
})
