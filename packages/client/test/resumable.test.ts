import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import type { UploadUrlStore } from '../src/index.ts'
import { bytesOf, useClient } from './client-fixture.ts'

const f = useClient()
const MiB = 1024 * 1024
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))

/** An in-memory store of upload URLs, as the CLI keeps them in files. */
function memoryStore(): UploadUrlStore & { urls: Map<string, string> } {
  const urls = new Map<string, string>()
  return {
    urls,
    get: async (fingerprint) => urls.get(fingerprint),
    set: async (fingerprint, url) => void urls.set(fingerprint, url),
    delete: async (fingerprint) => void urls.delete(fingerprint),
  }
}

it('resumes a tus upload aborted mid-way from the service offset, with identical bytes', async () => {
  const size = 12 * MiB
  const bytes = randomBytes(size)
  const dir = await mkdtemp(join(tmpdir(), 'coffer-client-'))
  dirs.push(dir)
  const file = join(dir, 'big.bin')
  await writeFile(file, bytes)
  const store = memoryStore()
  const resume = { store, fingerprint: 'big.bin→documents/resumable/big.bin' }

  const controller = new AbortController()
  const first = f.client.objects.uploadResumable('documents', 'resumable/big.bin', createReadStream(file), {
    chunkSize: MiB,
    resume,
    signal: controller.signal,
    onProgress: (sent) => {
      if (sent >= 4 * MiB) controller.abort()
    },
  })
  await expect(first).rejects.toMatchObject({ code: 'Aborted' })
  // Recorded before the first byte was sent, and kept for the next run.
  expect([...store.urls.values()]).toEqual([expect.stringContaining('/v1/uploads/')])
  expect(await f.client.objects.exists('documents', 'resumable/big.bin')).toBe(false)

  const resumed: number[] = []
  const sent: number[] = []
  await f.client.objects.uploadResumable('documents', 'resumable/big.bin', createReadStream(file), {
    chunkSize: MiB,
    resume,
    onResume: ({ offset }) => resumed.push(offset),
    onProgress: (bytesSent) => sent.push(bytesSent),
  })
  expect(resumed).toHaveLength(1)
  expect(resumed[0]).toBeGreaterThanOrEqual(3 * MiB)
  expect(resumed[0]).toBeLessThan(size)
  // The second run sent only the rest: no progress report is below the resumed offset.
  expect(Math.min(...sent)).toBeGreaterThanOrEqual(resumed[0] ?? 0)
  expect(sent.at(-1)).toBe(size)
  expect(store.urls.size).toBe(0)
  const download = await f.client.objects.download('documents', 'resumable/big.bin')
  expect(sha256(await bytesOf(download.body))).toBe(sha256(bytes))
})

it('uploads bytes over tus and reports a refusal with its code, forgetting the record', async () => {
  await f.client.objects.uploadResumable(
    'documents',
    'resumable/small.txt',
    new TextEncoder().encode('small'),
  )
  expect(await bytesOf((await f.client.objects.download('documents', 'resumable/small.txt')).body)).toEqual(
    Buffer.from('small'),
  )
  const store = memoryStore()
  const png = Buffer.from('not an image at all')
  const refused = f.client.objects.uploadResumable('avatars', 'u/1.png', png, {
    contentType: 'image/png',
    resume: { store, fingerprint: 'avatar' },
  })
  await expect(refused).rejects.toMatchObject({
    code: expect.stringMatching(/UnsupportedMediaType|UnprocessableContent/),
  })
  expect(store.urls.size).toBe(0)
})

it("terminates the service's upload on abort when asked, forgetting its record", async () => {
  const store = memoryStore()
  const recorded = new Promise<string>((resolve) => {
    const set = store.set
    store.set = async (fingerprint, url) => {
      resolve(url)
      await set(fingerprint, url)
    }
  })
  const controller = new AbortController()
  const cancelled = f.client.objects.uploadResumable(
    'documents',
    'resumable/cancelled.bin',
    randomBytes(4 * MiB),
    {
      chunkSize: MiB,
      resume: { store, fingerprint: 'cancelled' },
      onAbort: 'terminate',
      signal: controller.signal,
      onProgress: (sent) => {
        if (sent >= MiB) controller.abort()
      },
    },
  )
  await expect(cancelled).rejects.toMatchObject({ code: 'Aborted' })
  const uploadUrl = await recorded
  expect(store.urls.size).toBe(0)
  // tus answers 404 (or 410) for an upload that is gone (tus 1.0, HEAD on a terminated upload).
  const head = await fetch(uploadUrl, {
    method: 'HEAD',
    headers: { 'tus-resumable': '1.0.0', authorization: `Bearer ${f.harness.admin}` },
  })
  expect([404, 410]).toContain(head.status)
  expect(await f.client.objects.exists('documents', 'resumable/cancelled.bin')).toBe(false)
})

it('uploads create-only over tus: a taken key is refused, and one taken meanwhile fails the upload', async () => {
  await f.client.objects.upload('documents', 'resumable/taken.txt', 'kept')
  const refused = f.client.objects.uploadResumable('documents', 'resumable/taken.txt', randomBytes(1024), {
    ifNoneMatch: '*',
  })
  await expect(refused).rejects.toMatchObject({ code: 'PreconditionFailed', status: 412 })

  // Stopped after its first chunk, the name taken by another writer, then resumed: the service kept
  // the upload's create-only condition, and the end of the upload is refused.
  const bytes = randomBytes(3 * MiB)
  const resume = { store: memoryStore(), fingerprint: 'race' }
  const controller = new AbortController()
  const options = { ifNoneMatch: '*', chunkSize: MiB, resume } as const
  const first = f.client.objects.uploadResumable('documents', 'resumable/race.bin', bytes, {
    ...options,
    signal: controller.signal,
    onProgress: (sent) => {
      if (sent >= MiB) controller.abort()
    },
  })
  await expect(first).rejects.toMatchObject({ code: 'Aborted' })
  await f.client.objects.upload('documents', 'resumable/race.bin', 'the other writer')
  const resumed: number[] = []
  const second = f.client.objects.uploadResumable('documents', 'resumable/race.bin', bytes, {
    ...options,
    onResume: ({ offset }) => resumed.push(offset),
  })
  await expect(second).rejects.toMatchObject({ code: 'PreconditionFailed', status: 412 })
  expect(resumed).toHaveLength(1)
  expect(resume.store.urls.size).toBe(0)
  const download = await f.client.objects.download('documents', 'resumable/race.bin')
  expect(Buffer.from(await bytesOf(download.body)).toString()).toBe('the other writer')
})
