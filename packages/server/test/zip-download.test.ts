import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ObjectCatalog } from '../src/catalog/object-catalog.ts'
import { planZip, zipName } from '../src/domain/buckets/zip-plan.ts'
import { type Harness, json, startHarness } from './harness.ts'

/** The names and texts of an archive, read by Python's zipfile (which also checks every CRC). */
function unzipped(path: string): Record<string, string> {
  const script = [
    'import json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'assert z.testzip() is None',
    'print(json.dumps({n: z.read(n).decode("utf-8", "replace") for n in z.namelist()}))',
  ].join('\n')
  return JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8', maxBuffer: 64 << 20 }))
}

describe('Download as zip: a short link, then the archive streamed as an attachment', () => {
  let h: Harness
  let dir: string
  const big = 'x'.repeat(3 * 1024 * 1024)
  const files: Record<string, string> = {
    'alice/a.txt': 'alpha',
    'alice/sub/b.txt': 'bravo',
    'alice/sub/big.txt': big,
    'bob/secret.txt': 'secret',
  }
  const ask = (body: unknown, token = h.admin) => h.fetch('/v1/buckets/docs/zip', json(body, { token }))
  const link = async (body: unknown, token = h.admin) => {
    const response = await ask(body, token)
    const answer = (await response.json()) as { url: string; files: number; bytes: number }
    expect(response.status, JSON.stringify(answer)).toBe(200)
    return answer
  }
  /** Downloads a link without any credential, as the browser does, and saves it. */
  const download = async (url: string) => {
    const response = await h.fetch(url)
    const path = join(dir, `${Math.random()}.zip`)
    if (response.ok) await writeFile(path, Buffer.from(await response.arrayBuffer()))
    return { response, path }
  }

  beforeAll(async () => {
    h = await startHarness('sqlite')
    dir = await mkdtemp(join(tmpdir(), 'coffer-zip-'))
    expect((await h.fetch('/v1/buckets', json({ name: 'docs' }, { token: h.admin }))).status).toBe(201)
    for (const [key, body] of Object.entries(files)) {
      const path = `/v1/buckets/docs/objects/${key.split('/').map(encodeURIComponent).join('/')}`
      const put = await h.fetch(path, { method: 'PUT', token: h.admin, body: new TextEncoder().encode(body) })
      expect(put.status, key).toBeLessThan(300)
    }
  })
  afterAll(async () => {
    await h?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('zips a folder and a file, named below the folder shown, as an attachment on the API origin', async () => {
    const answer = await link({ keys: ['alice/sub/', 'alice/a.txt', 'alice/sub/b.txt'], base: 'alice/' })
    expect(answer.files).toBe(3)
    expect(answer.url.startsWith('/v1/zip/docs/')).toBe(true)
    const { response, path } = await download(answer.url)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/zip')
    expect(response.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''alice.zip")
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    // Stored entries: the length is known before the first byte (browsers show progress).
    const length = Number(response.headers.get('content-length'))
    expect(length).toBeGreaterThan(big.length)
    expect(unzipped(path)).toEqual({ 'sub/b.txt': 'bravo', 'sub/big.txt': big, 'a.txt': 'alpha' })
    expect((await stat(path)).size).toBe(length)
    // The log names the request, never the link's signature.
    const signature = new URL(answer.url, h.url).searchParams.get('X-Coffer-Signature') as string
    await expect.poll(() => h.logs.some((line) => line.includes('/v1/zip/docs/'))).toBe(true)
    expect(h.logs.join('\n')).not.toContain(signature)
  })

  it('fails the download, never a whole-looking broken archive, when a file changes while it is sent', async () => {
    const put = async (key: string, body: Uint8Array<ArrayBuffer>) =>
      expect(
        (await h.fetch(`/v1/buckets/docs/objects/${key}`, { method: 'PUT', token: h.admin, body })).status,
      ).toBe(200)
    // A first entry larger than the socket's buffers holds the archive back while the second changes.
    await put('carol/1-big.bin', new Uint8Array(16 * 1024 * 1024).fill(7))
    await put('carol/2-small.txt', new TextEncoder().encode('small'))
    const answer = await link({ keys: ['carol/'], base: '' })
    const response = await h.fetch(answer.url)
    expect(response.status).toBe(200)
    const length = Number(response.headers.get('content-length'))
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    const chunks: Uint8Array[] = []
    const first = await reader.read()
    if (first.value) chunks.push(first.value)
    await put(
      'carol/2-small.txt',
      new TextEncoder().encode('now much longer than it was when the archive was planned'),
    )
    const ended = await (async () => {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return 'ended'
        chunks.push(value)
      }
    })().catch(() => 'failed')
    const bytes = Buffer.concat(chunks)
    if (ended === 'failed' || bytes.length < length) return
    // Arrived whole: then it must be a readable archive of the files as they were planned.
    const path = join(dir, 'changed.zip')
    await writeFile(path, bytes)
    expect(Object.keys(unzipped(path))).toEqual(['1-big.bin', '2-small.txt'])
  })

  it('names entries so that no extractor writes outside its folder', () => {
    // The key rules refuse `\\`, `..` and a leading `/` already; the names guard again.
    expect(zipName('alice/sub/b.txt', 'alice/')).toBe('sub/b.txt')
    expect(zipName('a\\..\\..\\x.txt', '')).toBe('a_.._.._x.txt')
    expect(zipName('C:/x.txt', '')).toBe('C_/x.txt')
  })

  it('checks every key against the credential: a prefix-scoped key zips its own folder only', async () => {
    const alice = await h.key([{ bucket: 'docs', prefix: 'alice/', permissions: ['read', 'list'] }])
    expect((await ask({ keys: ['bob/secret.txt'] }, alice)).status).toBe(403)
    expect((await ask({ keys: ['alice/a.txt', 'bob/'] }, alice)).status).toBe(403)
    expect((await ask({ keys: ['alice/../bob/secret.txt'] }, alice)).status).toBeGreaterThanOrEqual(400)
    const { path } = await download((await link({ keys: ['alice/a.txt'] }, alice)).url)
    expect(unzipped(path)).toEqual({ 'alice/a.txt': 'alpha' })
    // Without a credential, nothing.
    expect((await h.fetch('/v1/buckets/docs/zip', json({ keys: ['alice/a.txt'] }))).status).toBe(401)
  })

  it('refuses a link whose selection, bucket or signature was changed', async () => {
    const { url } = await link({ keys: ['alice/a.txt'] })
    const parsed = new URL(url, h.url)
    const swapped = new URL(parsed)
    swapped.searchParams.set('s', JSON.stringify({ k: ['bob/secret.txt'], b: '' }))
    const other = new URL(parsed)
    other.pathname = other.pathname.replace('/docs/', '/other/')
    for (const bad of [swapped, other]) {
      const response = await h.fetch(bad.pathname + bad.search)
      expect(response.status).toBe(403)
      expect(await response.text()).not.toContain('secret')
    }
  })

  it('dies with the key that asked for it', async () => {
    const token = await h.key([{ bucket: 'docs', permissions: ['read', 'list'] }])
    const { url } = await link({ keys: ['alice/a.txt'] }, token)
    const keys = (await (await h.fetch('/v1/keys', { token: h.admin })).json()) as { keys: { id: string }[] }
    const id = keys.keys.at(-1)?.id
    expect((await h.fetch(`/v1/keys/${id}`, { method: 'DELETE', token: h.admin })).status).toBe(204)
    expect((await h.fetch(url)).status).toBe(403)
  })

  it('says in words what is missing or too much, before any byte of an archive', async () => {
    const gone = await ask({ keys: ['alice/nothing.txt'] })
    expect(gone.status).toBe(404)
    expect(((await gone.json()) as { detail: string }).detail).toContain('alice/nothing.txt no longer exists')
    const many = await ask({ keys: Array.from({ length: 600 }, (_, i) => `alice/file-number-${i}.txt`) })
    expect(many.status).toBe(413)
    expect(((await many.json()) as { detail: string }).detail).toContain('select their folder instead')
    const catalog = new ObjectCatalog(h.db)
    const selection = { keys: ['alice/'], base: '' }
    await expect(planZip(catalog, 'docs', selection, { entries: 2, bytes: 1e9 })).rejects.toThrow(
      'over 2 files; zip fewer at a time',
    )
    await expect(planZip(catalog, 'docs', selection, { entries: 100, bytes: 1024 })).rejects.toMatchObject({
      code: 'TooLarge',
    })
  })
})
