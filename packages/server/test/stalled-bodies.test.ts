import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, startHarness, uploadsInFlight } from './harness.ts'

/**
 * Sends a request's head and the first bytes of its body over TCP, then nothing more, as an attacker
 * holding uploads open would. `reply` settles with what the server answered once it closes the socket.
 */
function stall(baseUrl: string, head: string, start: string): { socket: Socket; reply: Promise<string> } {
  const { hostname, port } = new URL(baseUrl)
  const socket = connect(Number(port), hostname, () => socket.write(head + start))
  const reply = new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')))
  })
  return { socket, reply }
}

function statusOf(reply: string): number {
  return Number(reply.split(' ')[1])
}

function bodyOf(reply: string): { status: number; code: string } {
  return JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)) as { status: number; code: string }
}

function putHead(path: string, token: string | undefined, length: number): string {
  const auth = token === undefined ? '' : `Authorization: Bearer ${token}\r\n`
  return `PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Type: application/octet-stream\r\nContent-Length: ${length}\r\n\r\n`
}

describe('stalled request bodies (fs driver, sqlite)', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness('sqlite', { bodyIdleTimeout: 300 })
    const created = await h.fetch('/v1/buckets', json({ name: 'tight', quotaBytes: 100 }, { token: h.admin }))
    expect(created.status).toBe(201)
  })
  afterAll(() => h?.close())

  it('fails a raw PUT whose body stops with 408, freeing its temp file and its quota reservation', async () => {
    const { reply } = stall(
      h.url,
      putHead('/v1/buckets/tight/objects/stalled.bin', h.admin, 100),
      'x'.repeat(10),
    )
    const answer = await reply
    expect(statusOf(answer)).toBe(408)
    expect(answer).toMatch(/\r\ncontent-type: application\/problem\+json/i)
    expect(bodyOf(answer)).toMatchObject({ status: 408, code: 'RequestTimeout' })
    // The room the stalled upload reserved is free again: a writer can fill the quota.
    const put = await h.fetch('/v1/buckets/tight/objects/full.bin', {
      method: 'PUT',
      token: h.admin,
      body: 'y'.repeat(100),
    })
    expect(put.status).toBe(200)
    expect(await h.stored('tight')).toEqual(['full.bin~'])
    expect(await h.db.selectFrom('reservations').selectAll().execute()).toEqual([])
    await h.fetch('/v1/buckets/tight/objects/full.bin', { method: 'DELETE', token: h.admin })
  })

  it('fails a signed PUT whose body stops with 408', async () => {
    const signed = await h.fetch(
      '/v1/buckets/tight/sign',
      json({ key: 'signed.bin', method: 'PUT' }, { token: h.admin }),
    )
    const { url } = (await signed.json()) as { url: string }
    const target = new URL(url)
    const { reply } = stall(
      target.origin,
      putHead(target.pathname + target.search, undefined, 100),
      'x'.repeat(10),
    )
    expect(statusOf(await reply)).toBe(408)
    expect(await h.stored('tight')).toEqual([])
    expect(await h.db.selectFrom('reservations').selectAll().execute()).toEqual([])
  })

  it('fails a JSON request whose body stops with 408', async () => {
    const head =
      `POST /v1/buckets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${h.admin}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n'
    const answer = await stall(h.url, head, '{"name":').reply
    expect(statusOf(answer)).toBe(408)
    expect(bodyOf(answer)).toMatchObject({ code: 'RequestTimeout' })
  })

  it('fails a form upload whose body stops with 408 and stores nothing', async () => {
    const b = 'stall-boundary'
    const start =
      `--${b}\r\nContent-Disposition: form-data; name="prefix"\r\n\r\nforms/\r\n` +
      `--${b}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\nten bytes!'
    const head =
      `POST /v1/buckets/tight/objects HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${h.admin}\r\n` +
      `Content-Type: multipart/form-data; boundary=${b}\r\nContent-Length: 1000\r\n\r\n`
    const { reply } = stall(h.url, head, start)
    const answer = await reply
    expect(statusOf(answer)).toBe(408)
    expect(bodyOf(answer)).toMatchObject({ code: 'RequestTimeout' })
    expect(await h.stored('tight')).toEqual([])
    expect(await h.db.selectFrom('reservations').selectAll().execute()).toEqual([])
  })
  it('fails a tus PATCH whose body stops with 408; the upload resumes from what was staged', async () => {
    const meta = ['bucket documents', 'key tus-stalled.bin'].map((pair) => {
      const [name, value] = pair.split(' ') as [string, string]
      return `${name} ${Buffer.from(value).toString('base64')}`
    })
    const tus = { 'tus-resumable': '1.0.0', authorization: `Bearer ${h.admin}` }
    const created = await fetch(`${h.url}/v1/uploads`, {
      method: 'POST',
      headers: { ...tus, 'upload-length': '20', 'upload-metadata': meta.join(',') },
    })
    expect(created.status).toBe(201)
    const path = new URL(created.headers.get('location') as string, h.url).pathname
    const head =
      `PATCH ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${h.admin}\r\n` +
      'Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n' +
      'Content-Length: 20\r\n\r\n'
    const answer = await stall(h.url, head, 'first-ten!').reply
    expect(statusOf(answer)).toBe(408)
    expect(bodyOf(answer)).toMatchObject({ code: 'RequestTimeout' })
    const offset = await fetch(`${h.url}${path}`, { method: 'HEAD', headers: tus })
    expect(offset.headers.get('upload-offset')).toBe('10')
    const rest = await fetch(`${h.url}${path}`, {
      method: 'PATCH',
      headers: { ...tus, 'upload-offset': '10', 'content-type': 'application/offset+octet-stream' },
      body: 'last-ten!!',
    })
    expect(rest.status).toBe(204)
    const stored = await h.fetch('/v1/buckets/documents/objects/tus-stalled.bin', { token: h.admin })
    expect(await stored.text()).toBe('first-ten!last-ten!!')
  })
})

describe('uploads per credential (fs driver, sqlite)', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness('sqlite', { uploadsPerCredential: 2 })
  })
  afterAll(() => h?.close())

  it('refuses a credential more uploads at once than allowed, with 429 and Retry-After', async () => {
    const key = await h.key([{ bucket: 'documents', permissions: ['write'] }])
    const held = [1, 2].map((n) =>
      stall(h.url, putHead(`/v1/buckets/documents/objects/held-${n}.bin`, key, 1000), 'x'),
    )
    await uploadsInFlight(h, 2)
    const third = await h.fetch('/v1/buckets/documents/objects/third.bin', {
      method: 'PUT',
      token: key,
      body: 'x',
    })
    expect(third.status).toBe(429)
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(third.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(((await third.json()) as { code: string }).code).toBe('TooManyRequests')
    // Another credential is not held back by this one's uploads.
    const other = await h.fetch('/v1/buckets/documents/objects/other.bin', {
      method: 'PUT',
      token: h.admin,
      body: 'x',
    })
    expect(other.status).toBe(200)
    // The slots come back when the held uploads end.
    for (const { socket, reply } of held) {
      socket.destroy()
      await reply
    }
    await uploadsInFlight(h, 0)
    const again = await h.fetch('/v1/buckets/documents/objects/third.bin', {
      method: 'PUT',
      token: key,
      body: 'x',
    })
    expect(again.status).toBe(200)
  })
})
