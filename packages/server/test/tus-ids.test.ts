import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, rawRequest, startHarness } from './harness.ts'

/** tus's Upload-Metadata: comma-separated `name base64(value)` pairs. */
const metadataHeader = (meta: Record<string, string>) =>
  Object.entries(meta)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',')

const VICTIM_KEY = 'victim/secret.bin'
const VERBS = ['HEAD', 'PATCH', 'DELETE', 'OPTIONS', 'POST'] as const

/**
 * F3: Coffer authorises the id in the route's path, while @tus/server took the id from the last
 * "/"-segment of the whole URL, query included. An attacker with a credential of their own sends
 * every tus verb to URLs that name their own upload for Coffer and the victim's for tus.
 */
describe('tus upload ids (F3)', () => {
  let h: Harness
  let victim: string
  let attacker: string
  let victimId: string

  /** Sends a request byte for byte (no URL normalisation), as an attacker's client can. */
  function send(method: string, path: string, token: string, extra: Record<string, string> = {}, body = '') {
    const headers = { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0', ...extra }
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`)
    return rawRequest(
      h.url,
      `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${lines.join('')}` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    )
  }

  async function create(token: string, key: string, length: number): Promise<string> {
    const response = await h.fetch('/v1/uploads', {
      method: 'POST',
      token,
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Length': String(length),
        'Upload-Metadata': metadataHeader({ bucket: 'documents', key }),
      },
    })
    expect(response.status).toBe(201)
    return (response.headers.get('location') ?? '').split('/').pop() ?? ''
  }

  /** The attacker's own upload: the one they hold, created again if a trick ended it. */
  let mine = ''
  async function attackerUpload(): Promise<string> {
    const head = mine === '' ? undefined : await send('HEAD', `/v1/uploads/${mine}`, attacker)
    if (head?.status !== 200) mine = await create(attacker, 'attacker/own.bin', 1000)
    return mine
  }

  /** The victim's upload as its owner sees it: still there, at offset 4, with its metadata. */
  async function expectVictimUntouched(): Promise<void> {
    const head = await h.fetch(`/v1/uploads/${victimId}`, {
      method: 'HEAD',
      token: victim,
      headers: { 'Tus-Resumable': '1.0.0' },
    })
    expect(head.status).toBe(200)
    expect(head.headers.get('upload-offset')).toBe('4')
    expect(head.headers.get('upload-length')).toBe('10')
    const session = await h.db
      .selectFrom('upload_sessions')
      .select('key')
      .where('id', '=', victimId)
      .executeTakeFirst()
    expect(session?.key).toBe(VICTIM_KEY)
  }

  /** One trick: a URL that names `mine` for Coffer's router and the victim's id somewhere after it. */
  async function attack(verb: (typeof VERBS)[number], path: string) {
    const patch = {
      'Content-Type': 'application/offset+octet-stream',
      // The victim's offset: bytes would land in the victim's upload if tus acted on it.
      'Upload-Offset': '4',
    }
    const creation = {
      'Upload-Length': '5',
      'Upload-Metadata': metadataHeader({ bucket: 'documents', key: 'attacker/new.bin' }),
    }
    const response =
      verb === 'PATCH'
        ? await send(verb, path, attacker, patch, 'EVIL')
        : verb === 'POST'
          ? await send(verb, path, attacker, creation)
          : await send(verb, path, attacker)
    // Nothing of the victim's upload may come back: not its metadata, not its offset.
    expect(response.text).not.toContain(Buffer.from(VICTIM_KEY).toString('base64'))
    expect(response.text).not.toMatch(/upload-offset: 4\b/i)
    if (verb === 'POST' && response.status === 201) {
      const id = /location: \/v1\/uploads\/([0-9a-f]{32})/i.exec(response.text)?.[1] ?? ''
      expect(id).not.toBe(victimId)
      await send('DELETE', `/v1/uploads/${id}`, attacker)
    }
    await expectVictimUntouched()
  }

  beforeAll(async () => {
    h = await startHarness('sqlite')
    const scopes = [{ bucket: 'documents', permissions: ['read', 'write'] }]
    victim = await h.key(scopes)
    attacker = await h.key(scopes)
    victimId = await create(victim, VICTIM_KEY, 10)
    const first = await h.fetch(`/v1/uploads/${victimId}`, {
      method: 'PATCH',
      token: victim,
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
      },
      body: 'VICT',
    })
    expect(first.status).toBe(204)
  })
  afterAll(() => h?.close())

  const tricks: [string, (mine: string, victim: string) => string][] = [
    ['a query ending in the victim id', (m, v) => `/v1/uploads/${m}?x=/${v}`],
    ['a query naming the victim upload URL', (m, v) => `/v1/uploads/${m}?next=/v1/uploads/${v}`],
    ['a bare query', (m, v) => `/v1/uploads/${m}?/${v}`],
    ['an encoded slash', (m, v) => `/v1/uploads/${m}%2F${v}`],
    ['an encoded question mark', (m, v) => `/v1/uploads/${m}%3F/${v}`],
    ['a dot-dot segment', (m, v) => `/v1/uploads/${m}/../${v}`],
    ['a trailing segment', (m, v) => `/v1/uploads/${m}/${v}`],
    ['a duplicated slash', (m, v) => `/v1/uploads/${m}//${v}`],
    ['an empty id and a duplicated slash', (_m, v) => `/v1/uploads//${v}`],
    ['a semicolon', (m, v) => `/v1/uploads/${m};/${v}`],
    ['a fragment', (m, v) => `/v1/uploads/${m}#/${v}`],
    [
      'the victim id percent-encoded',
      (_m, v) => `/v1/uploads/${[...v].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')}`,
    ],
    ['the victim id with the query trick on POST', (_m, v) => `/v1/uploads?x=/${v}`],
  ]

  for (const [name, url] of tricks) {
    it(`leaves the victim's upload alone: ${name}, every verb`, async () => {
      for (const verb of VERBS) {
        const path = verb === 'POST' ? `/v1/uploads?x=/${victimId}` : url(await attackerUpload(), victimId)
        await attack(verb, path)
      }
    })
  }

  it("leaves the victim's upload alone for any separator between the two ids", async () => {
    const separator = fc.constantFrom(
      '?',
      '?x=',
      '/',
      '//',
      '%2F',
      '%2f',
      '/./',
      '/../',
      ';',
      '&',
      '#',
      '%3F',
      '%23',
    )
    const noise = fc.string({ unit: fc.constantFrom('a', '0', '=', '&', '.', '-', '%20'), maxLength: 6 })
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...VERBS), separator, noise, separator, async (verb, a, n, b) => {
        const path =
          verb === 'POST'
            ? `/v1/uploads${a}${n}${b}${victimId}`
            : `/v1/uploads/${await attackerUpload()}${a}${n}${b}${victimId}`
        await attack(verb, path)
      }),
      { numRuns: 60, seed: 20261205 },
    )
  })

  it('keeps the victim bytes: the upload finishes with exactly what its owner sent', async () => {
    const last = await h.fetch(`/v1/uploads/${victimId}`, {
      method: 'PATCH',
      token: victim,
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': '4',
        'Content-Type': 'application/offset+octet-stream',
      },
      body: 'IM-END',
    })
    expect(last.status).toBe(204)
    const stored = await h.fetch(`/v1/buckets/documents/objects/${VICTIM_KEY}`, { token: victim })
    expect(await stored.text()).toBe('VICTIM-END')
  })

  it('logs upload ids only by their first 4 characters', async () => {
    // A URL that only looks like an upload's (404) names the id too.
    expect((await send('HEAD', `/v1//uploads/${mine}`, attacker)).status).toBe(404)
    const lines = h.logs.filter((line) => line.includes('/v1/uploads/'))
    expect(lines.length).toBeGreaterThan(0)
    for (const id of [victimId, mine]) {
      expect(h.logs.filter((line) => line.includes(id))).toEqual([])
      expect(lines.some((line) => line.includes(`/v1/uploads/${id.slice(0, 4)}…`))).toBe(true)
    }
  })
})
