import { createHash, randomBytes } from 'node:crypto'
import { type FileHandle, mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { DriverPutOptions, MultipartDriver } from '../../driver.ts'
import { StorageError } from '../../errors.ts'
import type { NormalizedKey } from '../../keys.ts'
import { isUploadId, multipartEtag, type StoredPart } from '../../multipart.ts'
import type { ObjectInfo } from '../../types.ts'
import { objectInfo } from '../object-info.ts'
import {
  commit,
  createTemp,
  DIR_MODE,
  discard,
  FILE_MODE,
  handleWriter,
  type TempFile,
} from './atomic-file.ts'
import { fsError, isErrno } from './fs-errors.ts'
import type { Layout } from './layout.ts'
import type { RootGuard } from './root-guard.ts'

/** What the fs driver shares with its multipart uploads. */
export interface FsMultipartContext {
  layout: Layout
  guard: RootGuard
  /** The data root, redacted from errors. */
  root: string
  /** The directory of uploads in progress, beside the objects tree (same file system: one rename). */
  uploads: string
  fsync: boolean
  /** Appends the record to a finished temp file, syncs and closes it (the driver's own `put` step). */
  finish(temp: TempFile, position: number, info: ObjectInfo): Promise<void>
  /** Runs a step that changes the files of `keys`, keeping the driver's read cache out of its way. */
  changing<T>(keys: string[], step: () => Promise<T>): Promise<T>
}

/** Each part file ends with its md5 (16 bytes), so bytes and etag are replaced by one rename. */
const MD5_BYTES = 16
const PART_NAME = /^\d{5}$/
const MANIFEST = 'upload.json'

interface Manifest {
  key: string
  opts: Omit<DriverPutOptions, 'signal'>
}

const partName = (partNumber: number) => String(partNumber).padStart(5, '0')

/**
 * The fs driver's multipart uploads. An upload is a directory `<root>/multipart/<id>/` holding its
 * manifest (key and attributes) and one file per part (`00001`…: the bytes, then their md5), each
 * written to a temp file and renamed into place. Completion streams the parts into a temp file beside
 * the object and renames it over the object, as `put` does: never a whole object in memory, and a
 * killed process leaves only directories and temp files that `sweepUploads` removes.
 */
export function fsMultipart(ctx: FsMultipartContext): MultipartDriver {
  const dirOf = (uploadId: string) => join(ctx.uploads, uploadId)

  async function manifest(key: NormalizedKey, uploadId: string): Promise<Manifest> {
    const missing = new StorageError('NotFound', (name) => `no multipart upload in progress at "${name}"`, {
      key,
    })
    if (!isUploadId(uploadId)) throw missing
    try {
      const found = JSON.parse(await readFile(join(dirOf(uploadId), MANIFEST), 'utf8')) as Manifest
      if (found.key !== key) throw missing
      return found
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) throw missing
      throw error
    }
  }

  /** A part's number, etag and size, from its open file (its last 16 bytes are its md5). */
  async function describePart(handle: FileHandle, name: string): Promise<StoredPart> {
    const { size } = await handle.stat()
    const md5 = Buffer.alloc(MD5_BYTES)
    await handle.read(md5, 0, MD5_BYTES, size - MD5_BYTES)
    return { partNumber: Number(name), etag: `"${md5.toString('hex')}"`, size: size - MD5_BYTES }
  }

  async function readPart(dir: string, name: string): Promise<StoredPart> {
    const handle = await open(join(dir, name), 'r')
    try {
      return await describePart(handle, name)
    } finally {
      await handle.close()
    }
  }

  /**
   * The bytes of `parts` in order, each checked against what the completion was checked with. Each
   * part is read through the one handle it was checked on: a part sent again meanwhile is a new file
   * renamed over the name, and this handle still reads the old one whole.
   */
  async function* joined(dir: string, parts: readonly StoredPart[], sha256: ReturnType<typeof createHash>) {
    for (const ref of parts) {
      const name = partName(ref.partNumber)
      const handle = await open(join(dir, name), 'r').catch((error: unknown) => {
        if (isErrno(error, 'ENOENT')) return undefined // aborted, or never there: InvalidPart below
        throw error
      })
      try {
        const part = handle && (await describePart(handle, name))
        if (handle === undefined || part?.etag !== ref.etag || part.size !== ref.size) {
          throw new StorageError('InvalidPart', `part ${ref.partNumber} changed while the upload completed`)
        }
        if (part.size === 0) continue
        for await (const chunk of handle.createReadStream({
          start: 0,
          end: part.size - 1,
          autoClose: false,
        })) {
          sha256.update(chunk as Buffer)
          yield chunk as Buffer
        }
      } finally {
        await handle?.close()
      }
    }
  }

  /**
   * Removes an upload's folder. A part still arriving adds its temp file between the listing and
   * the `rmdir` of a plain recursive `rm` (ENOTEMPTY): the removal is then tried again, and the part
   * fails at its rename (ENOENT), gone with its upload.
   */
  const removeUploadDir = (dir: string) =>
    rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 })

  const guarded = async <T>(what: string, key: string, step: () => Promise<T>): Promise<T> => {
    try {
      return await step()
    } catch (error) {
      throw fsError(error, ctx.root, what, key)
    }
  }

  return {
    createUpload: (key, opts) =>
      guarded('starting the upload', key, async () => {
        const uploadId = randomBytes(16).toString('hex')
        const dir = dirOf(uploadId)
        await mkdir(ctx.uploads, { recursive: true, mode: DIR_MODE })
        await mkdir(dir, { mode: DIR_MODE })
        const { signal: _signal, ...kept } = opts
        const temp = join(dir, ctx.layout.tempName())
        await writeFile(temp, JSON.stringify({ key, opts: kept } satisfies Manifest), { mode: FILE_MODE })
        await rename(temp, join(dir, MANIFEST))
        return { uploadId }
      }),

    uploadPart: (key, uploadId, partNumber, body, opts) =>
      guarded('uploading a part', key, async () => {
        await manifest(key, uploadId)
        const dir = dirOf(uploadId)
        const path = join(dir, ctx.layout.tempName())
        const temp: TempFile = { path, handle: await open(path, 'wx', FILE_MODE) }
        try {
          const writer = handleWriter(temp.handle)
          await pipeline(body, writer.stream, opts?.signal ? { signal: opts.signal } : {})
          const md5 = Buffer.from(body.digest().md5 ?? '', 'hex')
          await temp.handle.write(md5, 0, MD5_BYTES, writer.written())
          if (ctx.fsync) await temp.handle.datasync()
          await temp.handle.close()
          // Aborted meanwhile: the rename fails (ENOENT) and the part goes with the upload.
          await rename(path, join(dir, partName(partNumber)))
          return { etag: `"${md5.toString('hex')}"` }
        } catch (error) {
          await discard(temp)
          throw error
        }
      }),

    completeUpload: (key, uploadId, parts) =>
      guarded('completing the upload', key, async () => {
        const { opts } = await manifest(key, uploadId)
        const dir = dirOf(uploadId)
        const location = ctx.layout.locate(key)
        await ctx.guard.checkDirIfAny(location.dir)
        const temp = await createTemp(ctx.layout, location)
        try {
          const sha256 = createHash('sha256')
          const writer = handleWriter(temp.handle)
          await pipeline(joined(dir, parts, sha256), writer.stream)
          const digest = { size: writer.written(), sha256: sha256.digest('hex') }
          const info = { ...objectInfo(key, digest, opts), etag: multipartEtag(parts) }
          await ctx.finish(temp, digest.size, info)
          await ctx.changing([key], () =>
            commit(temp.path, location, { createOnly: false, fsync: ctx.fsync }),
          )
          await removeUploadDir(dir)
          return info
        } catch (error) {
          await discard(temp)
          throw error
        }
      }),

    abortUpload: (key, uploadId) =>
      guarded('aborting the upload', key, async () => {
        await manifest(key, uploadId)
        await removeUploadDir(dirOf(uploadId))
      }),

    listParts: (key, uploadId) =>
      guarded('listing parts', key, async () => {
        await manifest(key, uploadId)
        const dir = dirOf(uploadId)
        const names = (await readdir(dir)).filter((name) => PART_NAME.test(name)).sort()
        const parts: StoredPart[] = []
        for (const name of names) {
          const part = await readPart(dir, name).catch((error: unknown) => {
            if (isErrno(error, 'ENOENT')) return undefined // replaced or aborted while we read
            throw error
          })
          if (part) parts.push(part)
        }
        return parts
      }),
  }
}
