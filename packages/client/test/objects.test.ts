import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { expect, it } from 'vitest'
import { CofferError } from '../src/index.ts'
import { bytesOf, useClient } from './client-fixture.ts'

const f = useClient()
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

it('uploads a Node stream with progress, and downloads the same bytes', async () => {
  const bytes = randomBytes(3 * 1024 * 1024 + 17)
  const reports: [number, number | undefined][] = []
  // 64 KiB chunks from a Node Readable: the body is a stream, never one buffer handed to fetch.
  const chunks = Array.from({ length: Math.ceil(bytes.length / 65536) }, (_, i) =>
    bytes.subarray(i * 65536, (i + 1) * 65536),
  )
  const info = await f.client.objects.upload('documents', 'projects/1/big file.bin', Readable.from(chunks), {
    size: bytes.length,
    contentType: 'application/octet-stream',
    metadata: { author: 'Zoë' },
    onProgress: (sent, total) => reports.push([sent, total]),
  })
  expect(info).toMatchObject({ key: 'projects/1/big file.bin', size: bytes.length })
  expect(info.sha256).toBe(sha256(bytes))
  expect(reports.length).toBeGreaterThan(10)
  expect(reports.at(-1)).toEqual([bytes.length, undefined])
  expect(reports.map(([sent]) => sent)).toEqual([...reports.map(([sent]) => sent)].sort((a, b) => a - b))

  const download = await f.client.objects.download('documents', 'projects/1/big file.bin')
  expect(download.head).toMatchObject({ size: bytes.length, metadata: { author: 'Zoë' } })
  expect(sha256(await bytesOf(download.body))).toBe(sha256(bytes))
  const range = await f.client.objects.download('documents', 'projects/1/big file.bin', {
    range: 'bytes=10-19',
  })
  expect(await bytesOf(range.body)).toEqual(bytes.subarray(10, 20))
  const again = await f.client.objects.download('documents', 'projects/1/big file.bin', {
    ifNoneMatch: download.head.etag,
  })
  expect(again).toMatchObject({ notModified: true, body: null })
})

it('lists across pages as one async iteration, a page asked for only when needed', async () => {
  const keys = Array.from({ length: 7 }, (_, i) => `listing/k${i}.txt`)
  for (const key of keys) await f.client.objects.upload('documents', key, `body of ${key}`)
  f.requests.length = 0
  const listed: string[] = []
  for await (const object of f.client.objects.list('documents', { prefix: 'listing/', limit: 2 })) {
    listed.push(object.key)
    if (listed.length === 3) expect(f.requests.filter((r) => r.includes('/objects?')).length).toBe(2)
  }
  expect(listed).toEqual(keys)
  expect(f.requests.filter((r) => r.includes('/objects?')).length).toBe(4)
  const pages = []
  for await (const page of f.client.objects.listPages('documents', {
    prefix: '',
    delimiter: '/',
    limit: 1000,
  }))
    pages.push(page)
  expect(pages[0]?.prefixes).toEqual(expect.arrayContaining(['listing/', 'projects/']))
})

it('stats, copies, moves, deletes and signs', async () => {
  await f.client.objects.upload('documents', 'ops/a.txt', 'hello')
  const stat = await f.client.objects.stat('documents', 'ops/a.txt')
  expect(stat).toMatchObject({ key: 'ops/a.txt', size: 5, sha256: sha256(Buffer.from('hello')) })
  expect(await f.client.objects.copy('documents', 'ops/a.txt', 'ops/b.txt')).toMatchObject({
    key: 'ops/b.txt',
  })
  await f.client.objects.move('documents', 'ops/b.txt', 'ops/c.txt')
  expect(await f.client.objects.exists('documents', 'ops/b.txt')).toBe(false)
  const signed = await f.client.objects.sign('documents', 'ops/c.txt', { expiresIn: 60 })
  expect(await (await fetch(signed.url)).text()).toBe('hello')
  const result = await f.client.objects.deleteMany('documents', { prefix: 'ops/' })
  expect(result.deleted.sort()).toEqual(['ops/a.txt', 'ops/c.txt'])
  expect(await f.client.objects.exists('documents', 'ops/c.txt')).toBe(false)
})

it('copies and moves create-only, refusing a taken name with PreconditionFailed', async () => {
  await f.client.objects.upload('documents', 'only/a.txt', 'a')
  await f.client.objects.upload('documents', 'only/b.txt', 'b')
  for (const operation of ['copy', 'move'] as const) {
    const refused = f.client.objects[operation]('documents', 'only/a.txt', 'only/b.txt', { ifNoneMatch: '*' })
    await expect(refused).rejects.toMatchObject({ code: 'PreconditionFailed', status: 412 })
  }
  const text = async (key: string) =>
    Buffer.from(await bytesOf((await f.client.objects.download('documents', key)).body)).toString()
  expect(await text('only/a.txt')).toBe('a')
  expect(await text('only/b.txt')).toBe('b')
  await f.client.objects.move('documents', 'only/a.txt', 'only/c.txt', { ifNoneMatch: '*' })
  expect(await text('only/c.txt')).toBe('a')
  await f.client.objects.copy('documents', 'only/c.txt', 'only/b.txt')
  expect(await text('only/b.txt')).toBe('a')
})

it('builds render and public URLs the content origin answers', async () => {
  const url = f.client.objects.renderUrl('avatars', 'u/1 me.png', { h: 64, w: 64 })
  expect(url).toBe(`${f.harness.contentUrl}/render/avatars/u/1%20me.png?w=64&h=64`)
  expect(() => f.client.objects.renderUrl('avatars', 'a.png', { w: 0 })).toThrow(/w must be/)
  expect(() => f.client.objects.renderUrl('avatars', 'a.png', { w: 0 })).toThrow(CofferError)
  const rendered = await fetch(f.client.objects.renderUrl('avatars', 'missing.png', { variant: 'thumb' }))
  expect(rendered.status).toBe(404)
  expect(f.client.objects.publicUrl('avatars', 'u/1 me.png')).toBe(
    `${f.harness.contentUrl}/public/avatars/u/1%20me.png`,
  )
})

it('reads whoami, usage and keys', async () => {
  expect((await f.client.whoami()).kind).toBe('key')
  const usage = await f.client.usage('documents')
  expect(usage.bucket).toBe('documents')
  const created = await f.client.keys.create({
    name: 'reader',
    scopes: [{ bucket: 'documents', prefix: 'projects/1', permissions: ['read', 'list'] }],
  })
  expect((await f.client.keys.list()).map((key) => key.id)).toContain(created.key.id)
  const reader = f.clientWith(created.token)
  expect((await reader.whoami()).scopes[0]?.prefix).toBe('projects/1/')
  await f.client.keys.revoke(created.key.id)
  await expect(reader.whoami()).rejects.toMatchObject({ code: 'MissingCredentials', status: 401 })
  // The audit trail, newest first, one event a page: the revoke, then the creation, cursors followed.
  const events = []
  for await (const event of f.client.audit({ action: 'key.revoke', limit: 1 })) events.push(event)
  for await (const event of f.client.audit({ action: 'key.create', limit: 1 })) events.push(event)
  expect(events.map((event) => event.action)).toEqual(['key.revoke', 'key.create'])
  expect((await f.client.reconcile('documents')).added).toBeTypeOf('number')
})
