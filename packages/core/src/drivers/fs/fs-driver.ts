import { constants } from 'node:fs'
import { lstat, open, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { LRUCache } from 'lru-cache'
import type {
  Driver,
  DriverCopyOptions,
  DriverGetOptions,
  DriverMoveOptions,
  DriverPutOptions,
  ListHint,
  ListStart,
  PutBody,
} from '../../driver.ts'
import type { NormalizedKey } from '../../keys.ts'
import type { NotModified, ObjectInfo, ObjectStream, ObjectSummary } from '../../types.ts'
import { objectInfo } from '../object-info.ts'
import {
  commit,
  copyToTemp,
  createTemp,
  discard,
  handleWriter,
  moveFile,
  pruneEmpty,
  type TempFile,
} from './atomic-file.ts'
import { fsError, isErrno } from './fs-errors.ts'
import { fsMultipart } from './fs-multipart.ts'
import { Layout, MAX_NAME_BYTES } from './layout.ts'
import { answerSmall, readObject, type SmallObject } from './read-object.ts'
import { encodeRecord, readRecord } from './record.ts'
import { linkRefused, RootGuard } from './root-guard.ts'
import { sweepTemps, sweepUploadDirs } from './sweep-temps.ts'
import { walk } from './walk.ts'

export interface FsDriverOptions {
  /** Directory that holds the objects (created when missing). */
  root: string
  /**
   * fsync each object and its directory before a write is acknowledged. Default true: turn it off
   * only for scratch data, where losing the last writes on a power cut is acceptable.
   */
  fsync?: boolean
  /**
   * Bytes of small objects (up to 16 KiB each) kept in memory after they are read, so that a hot
   * object is served without touching the file system; default 32 MiB, 0 turns it off. Writes, moves
   * and deletes through the driver drop what they change; the driver must be the only writer of
   * `root` (another process writing there would leave this cache stale).
   */
  cacheBytes?: number
}

/**
 * The local file system: Coffer's embedded default. One file per object (bytes, then a record
 * trailer), written to a temp file beside its place and renamed over it, so readers never see a part.
 * See `layout.ts` for how keys map to paths.
 */
export function fsDriver(options: FsDriverOptions): Driver {
  const layout = new Layout(options.root)
  const guard = new RootGuard(layout.objects)
  const root = layout.objects.slice(0, -'/objects'.length)
  const fsync = options.fsync ?? true
  const cacheBytes = options.cacheBytes ?? 32 * 1024 * 1024
  const small =
    cacheBytes > 0
      ? new LRUCache<string, SmallObject>({
          maxSize: cacheBytes,
          // The file's bytes (its record included), and roughly what the parsed record costs besides.
          sizeCalculation: (entry) => entry.bytes.buffer.byteLength + 1024,
        })
      : undefined
  /**
   * The records of objects whose heads were read (a render's source, an S3 HEAD): a stat answered
   * from memory instead of four file operations. Kept out of date the same way as `small`.
   */
  const infos = cacheBytes > 0 ? new LRUCache<string, ObjectInfo>({ max: 10_000 }) : undefined
  /**
   * Bumped before and after every change: a read that overlapped one does not cache what it read,
   * since it may have read the object as it was before.
   */
  let changes = 0
  const forget = (keys: string[]) => {
    changes++
    for (const key of keys) {
      small?.delete(key)
      infos?.delete(key)
    }
  }
  /** Runs a step that changes the files of `keys`, keeping the cache out of its way. */
  async function changing<T>(keys: string[], step: () => Promise<T>): Promise<T> {
    forget(keys)
    try {
      return await step()
    } finally {
      forget(keys)
    }
  }

  async function finish(temp: TempFile, position: number, info: ObjectInfo): Promise<void> {
    const record = encodeRecord(info)
    await temp.handle.write(record, 0, record.length, position)
    // fdatasync: the bytes and the size (needed to read them back) reach the disk, not the times.
    if (fsync) await temp.handle.datasync()
    await temp.handle.close()
  }

  async function headOf(key: string, file = layout.locate(key).file, checked = false): Promise<ObjectInfo> {
    if (!checked) await guard.checkDir(dirname(file))
    const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW)
    try {
      return await readRecord(handle, key)
    } finally {
      await handle.close()
    }
  }

  const uploads = join(root, 'multipart')

  return {
    name: 'fs',
    capabilities: { conditionalWrite: true, maxSegmentBytes: MAX_NAME_BYTES - 1 },
    multipart: fsMultipart({ layout, guard, root, uploads, fsync, finish, changing }),

    async put(key: NormalizedKey, body: PutBody, opts: DriverPutOptions): Promise<ObjectInfo> {
      let temp: TempFile | undefined
      try {
        const location = layout.locate(key)
        await guard.checkDirIfAny(location.dir)
        temp = await createTemp(layout, location)
        const writer = handleWriter(temp.handle)
        await pipeline(body, writer.stream, opts.signal ? { signal: opts.signal } : {})
        const info = objectInfo(key, body.digest(), opts)
        await finish(temp, writer.written(), info)
        const committing = { createOnly: opts.ifNoneMatch === '*', fsync }
        const path = temp.path
        await changing([key], () => commit(path, location, committing))
        return info
      } catch (error) {
        await discard(temp)
        throw fsError(error, root, 'writing the object', key)
      }
    },

    async get(key: NormalizedKey, opts: DriverGetOptions): Promise<ObjectStream | NotModified> {
      const cached = small?.get(key)
      if (cached !== undefined) return answerSmall(cached, opts)
      const before = changes
      const keep = (object: SmallObject) => {
        if (changes === before) small?.set(key, object)
      }
      try {
        const { dir, file } = layout.locate(key)
        await guard.checkDir(dir)
        return await readObject(file, key, opts, small && keep)
      } catch (error) {
        throw fsError(error, root, 'reading the object', key)
      }
    },

    async head(key: NormalizedKey): Promise<ObjectInfo> {
      const known = small?.get(key)?.info ?? infos?.get(key)
      if (known !== undefined) return known
      const before = changes
      try {
        const info = await headOf(key)
        if (changes === before) infos?.set(key, info)
        return info
      } catch (error) {
        throw fsError(error, root, 'reading the object', key)
      }
    },

    async delete(key: NormalizedKey): Promise<void> {
      try {
        const location = layout.locate(key)
        const there = await guard.checkDir(location.dir).then(
          () => true,
          (error: unknown) => {
            if (isErrno(error, 'ENOENT', 'ENOTDIR')) return false
            throw error
          },
        )
        if (!there) return
        await changing([key], () =>
          unlink(location.file).catch((error: unknown) => {
            if (!isErrno(error, 'ENOENT', 'ENOTDIR')) throw error
          }),
        )
        await pruneEmpty(location.parents)
      } catch (error) {
        throw fsError(error, root, 'deleting the object', key)
      }
    },

    async *list(start: ListStart, hint: ListHint): AsyncIterable<ObjectSummary> {
      for await (const entry of walk(layout, guard, start, hint)) {
        try {
          // The walk entered real directories only: the file itself is opened without following links.
          const { key, size, etag, lastModified } = await headOf(entry.fragment, entry.path, true)
          yield { key, size, etag, lastModified }
        } catch (error) {
          if (isErrno(error, 'ENOENT')) continue // deleted since the directory was read
          throw fsError(error, root, 'listing objects', entry.fragment)
        }
      }
    },

    /** Temp files and multipart uploads never finished (see `sweepTemps`, `sweepUploadDirs`). */
    async sweepUploads(olderThan: Date, opts?: { signal?: AbortSignal }): Promise<number> {
      try {
        const temps = await sweepTemps(layout.objects, olderThan, opts?.signal)
        return temps + (await sweepUploadDirs(uploads, olderThan, opts?.signal))
      } catch (error) {
        throw fsError(error, root, 'removing abandoned temp files', '')
      }
    },

    async copy(from: NormalizedKey, to: NormalizedKey, opts: DriverCopyOptions): Promise<ObjectInfo> {
      let temp: TempFile | undefined
      try {
        const location = layout.locate(to)
        const source = layout.locate(from)
        await guard.checkDir(source.dir)
        if ((await lstat(source.file)).isSymbolicLink()) throw linkRefused()
        await guard.checkDirIfAny(location.dir)
        temp = await copyToTemp(layout, source.file, location)
        // Objects are replaced by rename, never changed in place, so the copy is a consistent snapshot.
        const record = await readRecord(temp.handle, from)
        const attributes = opts.attributes ?? record
        const digest = { size: record.size, sha256: record.checksum.sha256 ?? '' }
        const info = { ...objectInfo(to, digest, attributes), etag: record.etag }
        await temp.handle.truncate(record.size)
        await finish(temp, record.size, info)
        const committing = { createOnly: opts.ifNoneMatch === '*', fsync }
        const path = temp.path
        await changing([to], () => commit(path, location, committing))
        return info
      } catch (error) {
        await discard(temp)
        throw fsError(error, root, 'copying the object', isErrno(error, 'ENOENT') ? from : to)
      }
    },

    async move(from: NormalizedKey, to: NormalizedKey, opts: DriverMoveOptions = {}): Promise<ObjectInfo> {
      try {
        const source = layout.locate(from)
        const target = layout.locate(to)
        await guard.checkDir(source.dir)
        await guard.checkDirIfAny(target.dir)
        const createOnly = opts.ifNoneMatch === '*'
        await changing([from, to], () => moveFile(layout, source.file, target, { createOnly }))
        await pruneEmpty(source.parents)
        return await headOf(to)
      } catch (error) {
        throw fsError(error, root, 'moving the object', from)
      }
    },
  }
}
