import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, startHarness, uploadsInFlight } from './harness.ts'

/** A PUT whose head and first body byte go out, then nothing: an upload held open. */
function stall(baseUrl: string, path: string): { socket: Socket; closed: Promise<void> } {
  const { hostname, port } = new URL(baseUrl)
  const head = `PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\nx`
  const socket = connect(Number(port), hostname, () => socket.write(head))
  const closed = new Promise<void>((resolve) => {
    socket.on('error', () => resolve())
    socket.on('close', () => resolve())
  })
  return { socket, closed }
}

/**
 * Apps hand signed PUT URLs to their users. Whoever holds one may hold uploads open on it, but only
 * the slots of that URL's key: not those of the credential that signed it, which the app's other
 * users' URLs and the app itself upload with.
 */
describe('uploads held open through a signed PUT URL (fs driver, sqlite)', () => {
  let h: Harness
  let issuer: string
  const signPut = async (key: string) => {
    const response = await h.fetch(
      '/v1/buckets/documents/sign',
      json({ key, method: 'PUT', expiresIn: 600 }, { token: issuer }),
    )
    expect(response.status).toBe(200)
    const url = new URL(((await response.json()) as { url: string }).url)
    return url.pathname + url.search
  }

  beforeAll(async () => {
    h = await startHarness('sqlite', { uploadsPerCredential: 2 })
    issuer = await h.key([{ bucket: 'documents', permissions: ['write', 'sign'] }])
  })
  afterAll(() => h?.close())

  it("take that URL's key's slots, never its issuer's", async () => {
    const mine = await signPut('users/u1/avatar.bin')
    const held = [stall(h.contentUrl, mine), stall(h.contentUrl, mine)]
    await uploadsInFlight(h, 2)
    // The same URL is refused a third upload at once...
    const third = await fetch(h.contentUrl + mine, { method: 'PUT', body: 'x' })
    expect(third.status).toBe(429)
    // ...but the issuer uploads, and so does another user through another URL it signed.
    const direct = await h.fetch('/v1/buckets/documents/objects/app.bin', {
      method: 'PUT',
      token: issuer,
      body: 'x',
    })
    expect(direct.status).toBe(200)
    const other = await fetch(h.contentUrl + (await signPut('users/u2/avatar.bin')), {
      method: 'PUT',
      body: 'x',
    })
    expect(other.status).toBe(200)
    for (const { socket, closed } of held) {
      socket.destroy()
      await closed
    }
    await uploadsInFlight(h, 0)
  })
})
