import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, startHarness } from './harness.ts'

/**
 * Sends a PUT's head, then one body byte every `every` ms (never a pause long enough for the idle
 * timeout), as an attacker holding an upload open would; resolves with the reply once the server
 * closes the connection, or once the whole body went out.
 */
function trickle(baseUrl: string, path: string, token: string, length: number, every: number) {
  const { hostname, port } = new URL(baseUrl)
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = []
    let sent = 0
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
          `Content-Type: application/octet-stream\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`,
      )
      const timer = setInterval(() => {
        if (socket.destroyed || sent === length) return clearInterval(timer)
        socket.write('x')
        sent++
      }, every)
      socket.on('close', () => clearInterval(timer))
    })
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')))
  })
}

/**
 * A body that brings a byte now and then never stalls for the idle timeout, yet holds its socket, temp
 * file and quota reservation for as long as it likes: 1 MiB at a byte every 29 s is a year. A body
 * must bring a minimum rate (per idle window), or it fails as a stalled one does.
 */
describe('request bodies trickled below the minimum rate (fs driver, sqlite)', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness('sqlite', { bodyIdleTimeout: 300 })
    const created = await h.fetch('/v1/buckets', json({ name: 'tight', quotaBytes: 100 }, { token: h.admin }))
    expect(created.status).toBe(201)
  })
  afterAll(() => h?.close())

  it('fail with 408 and give back the quota they reserved', async () => {
    // 100 bytes at a byte per 100 ms: 10 s of a full quota, were it let through.
    const hog = trickle(h.url, '/v1/buckets/tight/objects/hog.bin', h.admin, 100, 100)
    const answer = await hog
    expect(Number(answer.split(' ')[1])).toBe(408)
    expect(answer).toContain('"code":"RequestTimeout"')
    const small = await h.fetch('/v1/buckets/tight/objects/small.txt', {
      method: 'PUT',
      token: h.admin,
      body: '0123456789',
    })
    expect(small.status).toBe(200)
    expect(await h.stored('tight')).toEqual(['small.txt~'])
  })
})
