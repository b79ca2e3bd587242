import { getEventListeners, once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, expect, it } from 'vitest'
import { CofferClient, CofferError } from '../src/index.ts'
import { bytesOf, useClient } from './client-fixture.ts'

const f = useClient()
const servers: Server[] = []
afterAll(() => Promise.all(servers.map((server) => new Promise((done) => server.close(done)))))

/** A listener on 127.0.0.1 that takes requests and never answers them (or answers headers, then stalls). */
async function silentServer(mode: 'nothing' | 'headers'): Promise<string> {
  const server = createServer((request, response) => {
    request.resume()
    if (mode === 'headers') {
      response.writeHead(200, { 'content-type': 'application/octet-stream' })
      response.write('first bytes')
    }
  })
  servers.push(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

it("gives the service's refusals as CofferErrors with the core's codes", async () => {
  const missing = f.client.objects.download('documents', 'nothing/here.txt')
  await expect(missing).rejects.toBeInstanceOf(CofferError)
  await expect(missing).rejects.toMatchObject({ code: 'NotFound', status: 404, retryable: false })
  // HEAD answers carry no problem document: the code comes from the status.
  await expect(f.client.objects.head('documents', 'nothing/here.txt')).rejects.toMatchObject({
    code: 'NotFound',
  })
  await expect(f.clientWith(undefined).buckets.list()).rejects.toMatchObject({ code: 'MissingCredentials' })
  const reader = await f.harness.key([
    { bucket: 'documents', prefix: 'mine', permissions: ['read', 'write'] },
  ])
  await expect(f.clientWith(reader).objects.upload('documents', 'theirs/a.txt', 'x')).rejects.toMatchObject({
    code: 'AccessDenied',
    status: 403,
  })
  await expect(f.client.buckets.create('documents')).rejects.toMatchObject({ code: 'AlreadyExists' })
  await expect(
    f.client.objects.upload('documents', 'mine/a.txt', 'x', { metadata: { 'bad name': 'v' } }),
  ).rejects.toMatchObject({ code: 'InvalidArgument' })
  await f.client.objects.upload('documents', 'mine/once.txt', 'x')
  await expect(
    f.client.objects.upload('documents', 'mine/once.txt', 'y', { ifNoneMatch: '*' }),
  ).rejects.toMatchObject({ code: 'PreconditionFailed', status: 412 })
  await expect(
    f.client.objects.download('documents', 'mine/once.txt', { range: 'bytes=5-9' }),
  ).rejects.toMatchObject({
    code: 'InvalidRange',
  })
})

it('fails with Unavailable when nothing listens, without leaking the token', async () => {
  // A port that was just listened on and is closed now: connections to it are refused.
  const closed = createServer().listen(0, '127.0.0.1')
  await once(closed, 'listening')
  const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`
  closed.close()
  await once(closed, 'close')
  const client = new CofferClient({ url, token: 'secret-token-value' })
  const error = await client.whoami().catch((e: unknown) => e)
  expect(error).toMatchObject({ code: 'Unavailable', status: 0, retryable: true })
  expect(String((error as Error).message)).not.toContain('secret-token-value')
})

it('fails with Timeout when no answer comes within the timeout', async () => {
  const client = new CofferClient({ url: await silentServer('nothing'), timeout: 300 })
  await expect(client.whoami()).rejects.toMatchObject({ code: 'Timeout', retryable: true })
  await expect(client.buckets.list({ timeout: 200 })).rejects.toMatchObject({ code: 'Timeout' })
  // Transfers have no limit unless given one; with one, an upload that gets no answer times out.
  await expect(client.objects.upload('b', 'k', 'bytes', { timeout: 200 })).rejects.toMatchObject({
    code: 'Timeout',
  })
  const resumable = client.objects.uploadResumable('b', 'k', new Uint8Array(10), { timeout: 200, retries: 0 })
  await expect(resumable).rejects.toMatchObject({ code: 'Timeout' })
})

it('fails with Aborted when the signal fires: before, while waiting, and while reading a body', async () => {
  const client = new CofferClient({ url: await silentServer('nothing') })
  await expect(client.whoami({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'Aborted' })
  const controller = new AbortController()
  const waiting = client.whoami({ signal: controller.signal })
  setTimeout(() => controller.abort(), 100)
  await expect(waiting).rejects.toMatchObject({ code: 'Aborted' })

  const stalled = new CofferClient({ url: await silentServer('headers') })
  const reading = new AbortController()
  const download = await stalled.objects.download('b', 'k', { signal: reading.signal })
  const body = bytesOf(download.body)
  reading.abort()
  await expect(body).rejects.toMatchObject({ code: 'Aborted' })
})

it('aborts an upload mid-body and stores nothing', async () => {
  const controller = new AbortController()
  async function* slow() {
    yield new Uint8Array(1024)
    controller.abort()
    await new Promise((resolve) => setTimeout(resolve, 50))
    yield new Uint8Array(1024)
  }
  const upload = f.client.objects.upload('documents', 'aborted/a.bin', slow(), { signal: controller.signal })
  await expect(upload).rejects.toMatchObject({ code: 'Aborted' })
  await expect.poll(() => f.client.objects.exists('documents', 'aborted/a.bin')).toBe(false)
})

it('leaves no listener on a signal shared by a loop of calls', async () => {
  for (const name of ['a', 'b', 'c', 'd'])
    await f.client.objects.upload('documents', `shared/${name}.txt`, name)
  const controller = new AbortController()
  const keys = []
  for await (const object of f.client.objects.list('documents', {
    prefix: 'shared/',
    limit: 1,
    signal: controller.signal,
  }))
    keys.push(object.key)
  await f.client.objects.delete('documents', 'shared/a.txt', { signal: controller.signal })
  expect(keys).toHaveLength(4)
  expect(getEventListeners(controller.signal, 'abort')).toEqual([])
})
