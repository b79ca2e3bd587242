import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { filesUnder } from './harness.ts'
import { type Started, startProcess } from './spawned-service.ts'

const UPLOADS = 50
const BUCKET = 'documents'
/** Uploads whose bodies stop half-way and stay open until the kill: temp files exist when it strikes. */
const STALLED = 5

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** A body that sends its first half, then waits forever (until the connection dies with the process). */
function stalledBody(bytes: Buffer, sent: () => void): ReadableStream<Uint8Array> {
  let first = true
  return new ReadableStream({
    pull(controller) {
      if (!first) return new Promise<void>(() => undefined)
      first = false
      controller.enqueue(bytes.subarray(0, bytes.length / 2))
      sent()
    },
  })
}

/**
 * The readme's crash check: the real process is killed (SIGKILL) in the middle of concurrent uploads
 * (fs driver, SQLite index), restarted, and every invariant is checked, not only the bytes: each
 * acknowledged upload reads back whole with its sha256, the index lists exactly what the store holds
 * (after the reconcile a restart from an unclean stop runs), the usage counts match, and no temp file
 * of the killed writes is left in the store.
 */
describe('SIGKILL during concurrent uploads, then a restart (spawned service, fs + SQLite)', () => {
  const adminKey = `admin-${randomBytes(24).toString('hex')}`
  let dataDir = ''
  let service: Started | undefined
  const env = () => ({ COFFER_DATA_DIR: dataDir, COFFER_ADMIN_KEY: adminKey, COFFER_LOG_LEVEL: 'info' })
  const api = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers)
    headers.set('authorization', `Bearer ${adminKey}`)
    return fetch((service as Started).url + path, { ...init, headers })
  }
  /** Every key and size of a bucket's listing, from the index or from the store (`source=store`). */
  async function listAll(source: 'index' | 'store'): Promise<Map<string, number>> {
    const found = new Map<string, number>()
    let cursor: string | undefined
    do {
      const query = new URLSearchParams({ source, limit: '1000', ...(cursor ? { cursor } : {}) })
      const response = await api(`/v1/buckets/${BUCKET}/objects?${query}`)
      expect(response.status).toBe(200)
      const page = (await response.json()) as { objects: { key: string; size: number }[]; cursor?: string }
      for (const object of page.objects) found.set(object.key, object.size)
      cursor = page.cursor
    } while (cursor !== undefined)
    return found
  }

  afterAll(async () => {
    if (service?.child.exitCode === null) {
      service.child.kill('SIGKILL')
      await service.exited
    }
    if (dataDir !== '') await rm(dataDir, { recursive: true, force: true })
  })

  it('keeps every acknowledged upload, repairs the index at restart and leaves no temp file', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'coffer-crash-'))
    service = await startProcess(env())
    const acknowledged = new Map<string, string>()
    const bodies = Array.from({ length: UPLOADS }, (_, i) =>
      randomBytes(32 * 1024 + ((i * 7919) % 64) * 16_384),
    )
    let stalledSent = 0
    const allStalled = new Promise<void>((resolve) => {
      const sent = () => ++stalledSent === STALLED && resolve()
      for (let i = 0; i < STALLED; i++) {
        const body = randomBytes(256 * 1024)
        api(`/v1/buckets/${BUCKET}/objects/stalled/${i}.bin`, {
          method: 'PUT',
          body: stalledBody(body, sent),
          duplex: 'half',
        } as RequestInit).catch(() => undefined)
      }
    })
    await allStalled
    let answered = 0
    const enoughAnswered = new Promise<void>((resolve) => {
      bodies.forEach((body, i) => {
        const key = `crash/${String(i).padStart(2, '0')}.bin`
        api(`/v1/buckets/${BUCKET}/objects/${key}`, { method: 'PUT', body })
          .then(async (response) => {
            if (response.status === 200) acknowledged.set(key, sha256(body))
            await response.body?.cancel()
          })
          .catch(() => undefined)
          .finally(() => ++answered === UPLOADS / 5 && resolve())
      })
    })
    // Killed while most of the uploads are still in flight and the stalled ones hold temp files.
    await enoughAnswered
    service.child.kill('SIGKILL')
    await service.exited
    expect(acknowledged.size).toBeGreaterThan(0)

    service = await startProcess(env())
    const restarted = service
    // The restart repairs the index and sweeps the temp files in the background; log lines say when.
    const done = () =>
      /reconcile done/.test(restarted.stdout()) && /temp files of an unclean stop/.test(restarted.stdout())
    for (let waited = 0; waited < 200 && !done(); waited++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }

    for (const [key, digest] of acknowledged) {
      const response = await api(`/v1/buckets/${BUCKET}/objects/${key}`)
      expect(response.status, key).toBe(200)
      expect(sha256(new Uint8Array(await response.arrayBuffer())), key).toBe(digest)
    }
    const store = await listAll('store')
    const index = await listAll('index')
    expect([...index].sort()).toEqual([...store].sort())
    for (const key of acknowledged.keys()) expect(store.has(key), key).toBe(true)
    const usage = (await (await api(`/v1/buckets/${BUCKET}/usage`)).json()) as {
      bytes: number
      objects: number
    }
    expect(usage.objects).toBe(store.size)
    expect(usage.bytes).toBe([...store.values()].reduce((sum, size) => sum + size, 0))
    const objectFiles = await filesUnder(join(dataDir, 'files', 'objects'))
    expect(objectFiles.filter((path) => path.split('/').some((name) => name.startsWith('~tmp-')))).toEqual([])
  })
})
