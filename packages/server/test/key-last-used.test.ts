import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KeyUse } from '../src/domain/auth/key-use.ts'
import { type Harness, startHarness } from './harness.ts'

interface KeyJson {
  id: string
  lastUsedAt?: string
}

describe('API keys: last used', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness('sqlite')
  })
  afterAll(() => h?.close())

  async function listed(id: string): Promise<KeyJson | undefined> {
    const { keys } = (await (await h.fetch('/v1/keys', { token: h.admin })).json()) as { keys: KeyJson[] }
    return keys.find((key) => key.id === id)
  }
  const lastUsedOf = async (id: string) =>
    (await h.db.selectFrom('api_keys').select('last_used_at').where('id', '=', id).executeTakeFirst())
      ?.last_used_at

  it('shows when a key last authenticated a request, and none before its first', async () => {
    const created = await h.fetch('/v1/keys', {
      method: 'POST',
      token: h.admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'reader', scopes: [{ bucket: 'documents', permissions: ['read'] }] }),
    })
    const { token, key } = (await created.json()) as { token: string; key: KeyJson }
    expect((await listed(key.id))?.lastUsedAt).toBeUndefined()
    const before = Date.now()
    expect((await h.fetch('/v1/whoami', { token })).status).toBe(200)
    await expect.poll(async () => (await listed(key.id))?.lastUsedAt, { timeout: 5000 }).toBeDefined()
    const seen = Date.parse((await listed(key.id))?.lastUsedAt ?? '')
    expect(seen).toBeGreaterThanOrEqual(before - 1000)
    // A refused token is no use of any key.
    expect((await h.fetch('/v1/whoami', { token: `${token}x` })).status).toBe(401)
  })

  it('counts a request to the S3 endpoint, signed with its S3 credentials', async () => {
    const created = await h.fetch('/v1/keys', {
      method: 'POST',
      token: h.admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 's3 user', scopes: [{ bucket: '*', permissions: ['list'] }], s3: true }),
    })
    const { key, s3 } = (await created.json()) as {
      key: KeyJson
      s3: { accessKeyId: string; secretAccessKey: string }
    }
    expect((await listed(key.id))?.lastUsedAt).toBeUndefined()
    const client = new S3Client({
      endpoint: h.s3Url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: s3,
      maxAttempts: 1,
    })
    await client.send(new ListBucketsCommand({}))
    client.destroy()
    await expect.poll(async () => (await listed(key.id))?.lastUsedAt, { timeout: 5000 }).toBeDefined()
  })

  it('writes at most once a minute per key', async () => {
    const id = 'key_for_use'
    for (const [row, hash] of [
      [id, 'h-use'],
      ['another', 'h-another'],
    ] as const) {
      await h.db
        .insertInto('api_keys')
        .values({
          id: row,
          name: 'x',
          token_hash: hash,
          scopes: '[]',
          created_at: new Date().toISOString(),
          expires_at: null,
          revoked_at: null,
        })
        .execute()
    }
    const use = new KeyUse(h.db, (error) => {
      throw error
    })
    const t0 = Date.parse('2030-01-01T00:00:00.000Z')
    use.note(id, t0)
    await expect.poll(() => lastUsedOf(id)).toBe('2030-01-01T00:00:00.000Z')
    use.note(id, t0 + 30_000)
    use.note(id, t0 + 59_999)
    // Both fell within the minute. The index takes writes in order: once another key's later write
    // has landed, one for this key issued before it would have too.
    use.note('another', t0 + 59_999)
    await expect.poll(() => lastUsedOf('another')).toBe('2030-01-01T00:00:59.999Z')
    expect(await lastUsedOf(id)).toBe('2030-01-01T00:00:00.000Z')
    use.note(id, t0 + 60_000)
    await expect.poll(() => lastUsedOf(id)).toBe('2030-01-01T00:01:00.000Z')
  })
})
