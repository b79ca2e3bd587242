import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { filesUnder } from './harness.ts'
import { type Started, startProcess } from './spawned-service.ts'

const BUCKET = 'documents'
/** New keys uploaded while the kill strikes. */
const NEW = 40
/** Keys written once before, overwritten while the kill strikes. */
const OVERWRITES = 20
/** Keys written once before, deleted while the kill strikes. */
const DELETES = 10
/** Uploads whose bodies stop half-way and stay open until the kill: temp files exist when it strikes. */
const STALLED = 5

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
const bodyOf = (i: number) => randomBytes(32 * 1024 + ((i * 7919) % 64) * 16_384)

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
 * The readme's crash check: the real process is killed (SIGKILL) in the middle of concurrent uploads,
 * overwrites and deletes (fs driver, SQLite index), restarted, and every invariant is checked as soon
 * as it listens, with no reconcile: each acknowledged write holds (uploads read back with their
 * sha256, deletes are gone), nothing stored is partial (every object is whole, one of the bodies sent
 * for its key), the index lists exactly what the store holds, the usage counters match it, and no
 * temp file of the killed writes is left. The restart repairs the index from the write intents the
 * killed process left, not by walking the store.
 */
describe('SIGKILL during concurrent writes, then a restart (spawned service, fs + SQLite)', () => {
  const adminKey = `admin-${randomBytes(24).toString('hex')}`
  let dataDir = ''
  let service: Started | undefined
  const env = () => ({ COFFER_DATA_DIR: dataDir, COFFER_ADMIN_KEY: adminKey, COFFER_LOG_LEVEL: 'info' })
  const api = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers)
    headers.set('authorization', `Bearer ${adminKey}`)
    return fetch((service as Started).url + path, { ...init, headers })
  }
  const objectPath = (key: string) => `/v1/buckets/${BUCKET}/objects/${key}`
  /** Every key and size of the bucket's listing, from the index or from the store (`source=store`). */
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

  it('keeps every acknowledged write, repairs the index from its intents, leaves no temp file', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'coffer-crash-'))
    service = await startProcess(env())
    /** Every body sent for a key, by sha256, and the one the last acknowledged write left (or null). */
    const sent = new Map<string, Set<string>>()
    const acknowledged = new Map<string, string | null>()
    /** Keys whose write during the kill was acknowledged. */
    const answered = new Set<string>()
    const send = (key: string, body: ReturnType<typeof bodyOf>) => {
      sent.set(key, (sent.get(key) ?? new Set()).add(sha256(body)))
      return api(objectPath(key), { method: 'PUT', body })
    }
    // The keys to overwrite and to delete exist first.
    for (let i = 0; i < OVERWRITES + DELETES; i++) {
      const key = i < OVERWRITES ? `over/${i}.bin` : `gone/${i}.bin`
      const body = bodyOf(1000 + i)
      const response = await send(key, body)
      expect(response.status).toBe(200)
      await response.body?.cancel()
      acknowledged.set(key, sha256(body))
    }

    let stalledSent = 0
    await new Promise<void>((resolve) => {
      const started = () => ++stalledSent === STALLED && resolve()
      for (let i = 0; i < STALLED; i++) {
        api(objectPath(`stalled/${i}.bin`), {
          method: 'PUT',
          body: stalledBody(randomBytes(256 * 1024), started),
          duplex: 'half',
        } as RequestInit).catch(() => undefined)
      }
    })
    const writes: { key: string; run: () => Promise<Response>; done: (status: number) => void }[] = []
    for (let i = 0; i < NEW + OVERWRITES; i++) {
      const key = i < NEW ? `new/${String(i).padStart(2, '0')}.bin` : `over/${i - NEW}.bin`
      const body = bodyOf(i)
      writes.push({
        key,
        run: () => send(key, body),
        done: (status) => {
          if (status !== 200) return
          acknowledged.set(key, sha256(body))
          answered.add(key)
        },
      })
    }
    for (let i = OVERWRITES; i < OVERWRITES + DELETES; i++) {
      const key = `gone/${i}.bin`
      writes.push({
        key,
        run: () => api(objectPath(key), { method: 'DELETE' }),
        done: (status) => {
          if (status !== 204) return
          acknowledged.set(key, null)
          answered.add(key)
        },
      })
    }
    let settled = 0
    await new Promise<void>((resolve) => {
      for (const write of writes) {
        write
          .run()
          .then(async (response) => {
            write.done(response.status)
            await response.body?.cancel()
          })
          .catch(() => undefined)
          .finally(() => ++settled === Math.ceil(writes.length / 5) && resolve())
      }
    })
    // Killed while most writes are still in flight and the stalled ones hold temp files.
    service.child.kill('SIGKILL')
    await service.exited

    service = await startProcess(env())
    const restarted = service
    // Log lines go out in batches, at most a quarter second after the listening line.
    await expect.poll(() => restarted.stdout()).toMatch(/write intents of an unclean stop resolved/)

    for (const [key, digest] of acknowledged) {
      const response = await api(objectPath(key))
      const stored = response.status === 200 ? sha256(new Uint8Array(await response.arrayBuffer())) : null
      if (response.status !== 200) await response.body?.cancel()
      if (answered.has(key)) {
        // Its write during the kill was acknowledged: exactly what it left.
        expect(stored, key).toBe(digest)
      } else if (stored === null) {
        // Only an unanswered delete may have removed an acknowledged object.
        expect(response.status, key).toBe(404)
        expect(key.startsWith('gone/'), key).toBe(true)
      } else {
        // Acknowledged before, then an unanswered overwrite that may have reached the store: one body sent.
        expect(sent.get(key)?.has(stored), key).toBe(true)
      }
    }
    const store = await listAll('store')
    for (const key of store.keys()) {
      const response = await api(objectPath(key))
      const stored = sha256(new Uint8Array(await response.arrayBuffer()))
      expect(sent.get(key)?.has(stored), `${key} is whole`).toBe(true)
    }
    const index = await listAll('index')
    expect([...index].sort()).toEqual([...store].sort())
    const usage = (await (await api(`/v1/buckets/${BUCKET}/usage`)).json()) as {
      bytes: number
      objects: number
    }
    expect(usage.objects).toBe(store.size)
    expect(usage.bytes).toBe([...store.values()].reduce((sum, size) => sum + size, 0))
    // The temp files of the killed writes are swept in the background right after the start.
    await expect.poll(() => /temp files of an unclean stop removed/.test(restarted.stdout())).toBe(true)
    const objectFiles = await filesUnder(join(dataDir, 'files', 'objects'))
    expect(objectFiles.filter((path) => path.split('/').some((name) => name.startsWith('~tmp-')))).toEqual([])
    // The repair came from the intents: no reconcile walked the store.
    expect(restarted.stdout()).not.toMatch(/reconcile (done|failed)/)
  })
})
