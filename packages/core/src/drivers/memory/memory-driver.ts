import { Readable } from 'node:stream'
import { ifNoneMatchMatches } from '../../conditional.ts'
import type {
  Driver,
  DriverCopyOptions,
  DriverGetOptions,
  DriverPutOptions,
  ListHint,
  ListStart,
  PutBody,
} from '../../driver.ts'
import { StorageError } from '../../errors.ts'
import type { NormalizedKey } from '../../keys.ts'
import { resolveRange } from '../../range.ts'
import type { NotModified, ObjectInfo, ObjectStream, ObjectSummary } from '../../types.ts'
import { objectInfo } from '../object-info.ts'
import { memoryMultipart } from './memory-multipart.ts'
import { SortedKeys } from './sorted-keys.ts'

interface StoredObject {
  info: ObjectInfo
  chunks: readonly Buffer[]
}

export interface MemoryDriverOptions {
  /** Refuse writes that would take the total past this many bytes (`QuotaExceeded`). Default: none. */
  maxBytes?: number
}

function notFound(key: string): StorageError {
  return new StorageError('NotFound', (name) => `no object at "${name}"`, { key })
}

/** Yields the bytes from `start` to `end` (inclusive) of a list of chunks, without copying them. */
function* slice(chunks: readonly Buffer[], start: number, end: number): Generator<Buffer> {
  let offset = 0
  for (const chunk of chunks) {
    const from = Math.max(start - offset, 0)
    const to = Math.min(end + 1 - offset, chunk.length)
    if (from < to) yield chunk.subarray(from, to)
    offset += chunk.length
    if (offset > end) return
  }
}

/**
 * A driver that keeps objects in this process's memory: for tests, previews and short-lived caches.
 * It keeps every semantic of the contract (ordering, atomic writes, ranges, conditional writes).
 */
export function memoryDriver(options: MemoryDriverOptions = {}): Driver {
  const objects = new Map<string, StoredObject>()
  const keys = new SortedKeys()
  let totalBytes = 0

  function commit(key: string, stored: StoredObject, ifNoneMatch: '*' | undefined): ObjectInfo {
    const previous = objects.get(key)
    if (ifNoneMatch === '*' && previous) {
      throw new StorageError('PreconditionFailed', (name) => `an object already exists at "${name}"`, { key })
    }
    const nextTotal = totalBytes - (previous?.info.size ?? 0) + stored.info.size
    if (options.maxBytes !== undefined && nextTotal > options.maxBytes) {
      throw new StorageError('QuotaExceeded', 'the memory driver is full', { key })
    }
    totalBytes = nextTotal
    objects.set(key, stored)
    keys.add(key)
    return stored.info
  }

  function read(key: string): StoredObject {
    const stored = objects.get(key)
    if (!stored) throw notFound(key)
    return stored
  }

  return {
    name: 'memory',
    capabilities: { conditionalWrite: true },

    async put(key: NormalizedKey, body: PutBody, opts: DriverPutOptions): Promise<ObjectInfo> {
      const chunks: Buffer[] = []
      for await (const chunk of body) {
        opts.signal?.throwIfAborted()
        chunks.push(chunk as Buffer)
      }
      return commit(key, { info: objectInfo(key, body.digest(), opts), chunks }, opts.ifNoneMatch)
    },

    async get(key: NormalizedKey, opts: DriverGetOptions): Promise<ObjectStream | NotModified> {
      const { info, chunks } = read(key)
      if (opts.ifNoneMatch !== undefined && ifNoneMatchMatches(opts.ifNoneMatch, info.etag)) {
        return { notModified: true, info }
      }
      const range = opts.range ? resolveRange(opts.range, info.size) : undefined
      const body = Readable.from(slice(chunks, range?.start ?? 0, range?.end ?? info.size - 1), {
        objectMode: false,
      })
      return range ? { notModified: false, body, info, range } : { notModified: false, body, info }
    },

    multipart: memoryMultipart((key, info, chunks) => commit(key, { info, chunks }, undefined)),

    async head(key: NormalizedKey): Promise<ObjectInfo> {
      return read(key).info
    },

    async delete(key: NormalizedKey): Promise<void> {
      const stored = objects.get(key)
      if (!stored) return
      totalBytes -= stored.info.size
      objects.delete(key)
      keys.remove(key)
    },

    async *list(start: ListStart, hint: ListHint): AsyncIterable<ObjectSummary> {
      let key = keys.first(start)
      while (key?.startsWith(start.prefix)) {
        const skip = hint.skipPrefix !== undefined && key.startsWith(hint.skipPrefix)
        const stored = skip ? undefined : objects.get(key)
        if (stored) yield summary(stored.info)
        key = skip ? keys.next(hint.skipPrefix as string, true) : keys.next(key, false)
      }
    },

    async copy(from: NormalizedKey, to: NormalizedKey, opts: DriverCopyOptions): Promise<ObjectInfo> {
      const { info, chunks } = read(from)
      const attributes = opts.attributes ?? { ...info }
      const digest = { size: info.size, sha256: info.checksum.sha256 ?? '' }
      const copied = { ...objectInfo(to, digest, attributes), etag: info.etag }
      return commit(to, { info: copied, chunks }, opts.ifNoneMatch)
    },
  }
}

function summary(info: ObjectInfo): ObjectSummary {
  return { key: info.key, size: info.size, etag: info.etag, lastModified: info.lastModified }
}
