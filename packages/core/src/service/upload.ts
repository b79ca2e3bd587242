import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { detectContentType, matchesType, SNIFF_BYTES } from '../content-type.ts'
import type { Driver, DriverPutOptions } from '../driver.ts'
import { isStorageError, StorageError, toStorageError } from '../errors.ts'
import { IngestStream, peek, toReadable } from '../ingest.ts'
import type { NormalizedKey } from '../keys.ts'
import type { ObjectInfo, UploadBody, UploadOptions } from '../types.ts'
import { writeAttributes } from './attributes.ts'
import { checkCreateOnly, refuseTaken } from './create-only.ts'

function checkSize(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
    throw new StorageError('InvalidArgument', `${name} must be a whole number of bytes`)
  }
}

/** Refuses what can be refused before a byte is read. */
function precheck(opts: UploadOptions, length: number | undefined): void {
  checkSize('maxSize', opts.maxSize)
  checkSize('contentLength', opts.contentLength)
  checkCreateOnly(opts.ifNoneMatch)
  if (length !== undefined && opts.maxSize !== undefined && length > opts.maxSize) {
    throw new StorageError(
      'TooLarge',
      `the upload (${length} bytes) exceeds the limit of ${opts.maxSize} bytes`,
    )
  }
}

/** The first failure worth reporting: a typed one from either side, else the driver's (uploads, parts). */
export function firstFailure(
  results: PromiseSettledResult<unknown>[],
  key: string,
): StorageError | undefined {
  const reasons = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []))
  if (reasons.length === 0) return undefined
  const typed = reasons.find((reason) => isStorageError(reason) && reason.code !== 'Internal')
  return toStorageError(typed ?? reasons[0], 'the upload', key)
}

/**
 * Streams a body into a driver: reads only its first bytes to decide the content type, refuses a
 * disallowed type before anything is written, then lets the bytes flow through an `IngestStream`
 * (size limit, sha256, md5) into the driver. The body is always consumed or destroyed.
 */
export async function upload(
  driver: Driver,
  key: NormalizedKey,
  body: UploadBody,
  opts: UploadOptions & { name?: string },
): Promise<ObjectInfo> {
  const { stream, length: knownLength } = toReadable(body)
  let source: Readable = stream
  try {
    const length = opts.contentLength ?? knownLength
    precheck(opts, length)
    const attributes = writeAttributes(opts, '')
    opts.signal?.throwIfAborted()
    const peeked = await peek(stream, SNIFF_BYTES)
    source = peeked.body
    const detectInput = { head: peeked.head, name: opts.name ?? key }
    const contentType = await detectContentType(
      opts.contentType === undefined ? detectInput : { ...detectInput, declared: opts.contentType },
    )
    if (opts.allowedTypes && !matchesType(contentType, opts.allowedTypes)) {
      throw new StorageError('UnsupportedMediaType', `files of type ${contentType} are not allowed here`, {
        key,
      })
    }
    await refuseTaken(driver, key, opts)
    const putOptions: DriverPutOptions = { ...attributes, contentType }
    if (length !== undefined) putOptions.contentLength = length
    if (opts.ifNoneMatch !== undefined) putOptions.ifNoneMatch = opts.ifNoneMatch
    if (opts.signal !== undefined) putOptions.signal = opts.signal
    const md5 = { md5: driver.capabilities.computesEtag !== true }
    const ingestOptions = length === undefined ? md5 : { ...md5, contentLength: length }
    const ingest = new IngestStream(
      opts.maxSize === undefined ? ingestOptions : { ...ingestOptions, maxSize: opts.maxSize },
    )
    const feed = pipeline(source, ingest, opts.signal ? { signal: opts.signal } : {})
    // Wait for both sides, so that the driver has cleaned up before a failure is reported.
    const results = await Promise.allSettled([driver.put(key, ingest, putOptions), feed])
    const failure = firstFailure(results, key)
    if (failure) throw failure
    return (results[0] as PromiseFulfilledResult<ObjectInfo>).value
  } catch (error) {
    source.destroy()
    stream.destroy()
    throw toStorageError(error, 'the upload', key)
  }
}
