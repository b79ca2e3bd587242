import { pipeline } from 'node:stream/promises'
import { detectContentType, matchesType } from '../content-type.ts'
import type { Driver, MultipartDriver } from '../driver.ts'
import { StorageError } from '../errors.ts'
import { IngestStream, toReadable } from '../ingest.ts'
import type { NormalizedKey } from '../keys.ts'
import { checkCompletion, checkPartNumber, type PartRef, type StoredPart } from '../multipart.ts'
import { resolveRange } from '../range.ts'
import type { ObjectInfo, RangeSpec, UploadBody, UploadOptions } from '../types.ts'
import { writeAttributes } from './attributes.ts'
import { firstFailure } from './upload.ts'

/** Options of `StorageService.uploadPart`. */
export interface UploadPartOptions {
  /** The part's length when the caller knows it; a body of another length fails. */
  contentLength?: number
  /** The most bytes the part may have (`TooLarge` past it): the object's limit bounds each part too. */
  maxSize?: number
  signal?: AbortSignal
}

/** Options of `StorageService.completeMultipartUpload`. */
export interface CompleteOptions {
  /** The most bytes the object may have: `TooLarge` before anything is joined. */
  maxSize?: number
  /**
   * Called with the object's size once the parts are checked, before they are joined: a caller
   * reserves room for it there (a quota), and refuses by throwing.
   */
  admit?(size: number): Promise<void>
  /** Stops the completion (`Aborted`); see `MultipartDriver.completeUpload`. */
  signal?: AbortSignal
}

/** The driver's multipart ability; every driver of Coffer's has one. */
export function multipartOf(driver: Driver): MultipartDriver {
  if (driver.multipart === undefined) {
    throw new StorageError('InvalidArgument', `the ${driver.name} driver has no multipart uploads`)
  }
  return driver.multipart
}

/**
 * Starts a multipart upload. The type is decided now, from the declared type or the key's extension
 * (no byte has come yet), and checked against `allowedTypes`; limits on size apply at completion.
 */
export async function createUpload(
  driver: Driver,
  key: NormalizedKey,
  opts: Omit<UploadOptions, 'key'>,
): Promise<{ uploadId: string; contentType: string }> {
  const detect = { head: new Uint8Array(0), name: key }
  const contentType = await detectContentType(
    opts.contentType === undefined ? detect : { ...detect, declared: opts.contentType },
  )
  if (opts.allowedTypes && !matchesType(contentType, opts.allowedTypes)) {
    throw new StorageError('UnsupportedMediaType', `files of type ${contentType} are not allowed here`, {
      key,
    })
  }
  const { uploadId } = await multipartOf(driver).createUpload(key, writeAttributes(opts, contentType))
  return { uploadId, contentType }
}

/** Streams one part into the driver through an `IngestStream` (length, limit, md5); never buffered. */
export async function uploadPart(
  driver: Driver,
  key: NormalizedKey,
  uploadId: string,
  partNumber: number,
  body: UploadBody,
  opts: UploadPartOptions,
): Promise<StoredPart> {
  const { stream, length: known } = toReadable(body)
  try {
    checkPartNumber(partNumber)
    const length = opts.contentLength ?? known
    if (length !== undefined && opts.maxSize !== undefined && length > opts.maxSize) {
      // Refused before a byte is sent: a body cut short under a backend's upload would stall it.
      throw new StorageError(
        'TooLarge',
        `the part (${length} bytes) exceeds the limit of ${opts.maxSize} bytes`,
      )
    }
    const ingest = new IngestStream({
      md5: driver.capabilities.computesEtag !== true,
      ...(length === undefined ? {} : { contentLength: length }),
      ...(opts.maxSize === undefined ? {} : { maxSize: opts.maxSize }),
    })
    const signal = opts.signal ? { signal: opts.signal } : {}
    const partOpts = { ...signal, ...(length === undefined ? {} : { contentLength: length }) }
    const feed = pipeline(stream, ingest, signal)
    const results = await Promise.allSettled([
      multipartOf(driver).uploadPart(key, uploadId, partNumber, ingest, partOpts),
      feed,
    ])
    const failure = firstFailure(results, key)
    if (failure) throw failure
    const { etag } = (results[0] as PromiseFulfilledResult<{ etag: string }>).value
    return { partNumber, etag, size: ingest.digest().size }
  } finally {
    stream.destroy()
  }
}

/** Checks the parts named against the parts stored (`checkCompletion`), then has the driver join them. */
export async function completeUpload(
  driver: Driver,
  key: NormalizedKey,
  uploadId: string,
  parts: readonly PartRef[],
  opts: CompleteOptions,
): Promise<ObjectInfo> {
  const multipart = multipartOf(driver)
  const chosen = checkCompletion(parts, await multipart.listParts(key, uploadId))
  const size = chosen.reduce((sum, part) => sum + part.size, 0)
  if (opts.maxSize !== undefined && size > opts.maxSize) {
    throw new StorageError(
      'TooLarge',
      `the upload (${size} bytes) exceeds the limit of ${opts.maxSize} bytes`,
    )
  }
  await opts.admit?.(size)
  return multipart.completeUpload(key, uploadId, chosen, opts.signal ? { signal: opts.signal } : {})
}

/** What `copyPart` copies: the part it makes, and the object (or range of it) it is made of. */
export interface PartCopy {
  key: NormalizedKey
  uploadId: string
  partNumber: number
  source: NormalizedKey
  spec: RangeSpec | undefined
  opts: UploadPartOptions
}

/** A part copied by the backend (`MultipartDriver.copyPart`), its range and size checked here first. */
export async function copyPart(
  driver: Driver,
  copy: NonNullable<MultipartDriver['copyPart']>,
  part: PartCopy,
): Promise<StoredPart> {
  checkPartNumber(part.partNumber)
  const signal = part.opts.signal === undefined ? {} : { signal: part.opts.signal }
  const { size } = await driver.head(part.source, signal)
  const range = part.spec === undefined ? undefined : resolveRange(part.spec, size)
  const length = range === undefined ? size : range.end - range.start + 1
  if (part.opts.maxSize !== undefined && length > part.opts.maxSize) {
    throw new StorageError(
      'TooLarge',
      `the part (${length} bytes) exceeds the limit of ${part.opts.maxSize} bytes`,
    )
  }
  const copyOpts = {
    ...signal,
    ...(range === undefined ? {} : { range: { start: range.start, end: range.end } }),
  }
  const { etag } = await copy(part.key, part.uploadId, part.partNumber, part.source, copyOpts)
  return { partNumber: part.partNumber, etag, size: length }
}
