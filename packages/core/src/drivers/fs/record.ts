import { StorageError } from '../../errors.ts'
import type { ObjectInfo } from '../../types.ts'
import { optionalAttributes } from '../object-info.ts'

/**
 * Each object is one file: its bytes, then a trailer holding its record (size, etag, sha256, type,
 * metadata, visibility, …) as JSON, then the JSON's length (uint32, big-endian) and a magic number.
 * Keeping bytes and record in one file makes a write one atomic rename; putting the record last lets
 * the bytes stream to disk before their size and checksums are known, and keeps them at offset 0.
 */
const MAGIC = Buffer.from('CFR1')
const FOOTER_BYTES = 8
/** One read of this size gets the footer and, almost always, the whole record. */
const TAIL_READ = 4096

interface StoredRecord {
  size: number
  etag: string
  sha256?: string
  contentType: string
  lastModified: number
  metadata: Record<string, string>
  visibility: 'public' | 'private'
  cacheControl?: string
  contentDisposition?: string
  contentEncoding?: string
}

export function encodeRecord(info: ObjectInfo): Buffer {
  const record: StoredRecord = {
    size: info.size,
    etag: info.etag,
    contentType: info.contentType,
    lastModified: info.lastModified.getTime(),
    metadata: info.metadata,
    visibility: info.visibility,
    ...optionalAttributes(info),
  }
  if (info.checksum.sha256 !== undefined) record.sha256 = info.checksum.sha256
  const json = Buffer.from(JSON.stringify(record))
  const footer = Buffer.alloc(FOOTER_BYTES)
  footer.writeUInt32BE(json.length, 0)
  MAGIC.copy(footer, 4)
  return Buffer.concat([json, footer])
}

function corrupt(key: string): StorageError {
  return new StorageError('Internal', (name) => `the stored record of "${name}" is damaged`, { key })
}

function parseRecord(json: string, key: string): StoredRecord {
  try {
    return JSON.parse(json) as StoredRecord
  } catch {
    throw corrupt(key)
  }
}

/** The record's JSON length, from a tail of the file (its last `tail.length` bytes) with the footer. */
function jsonLengthOf(tail: Buffer, fileSize: number, key: string): number {
  if (tail.length < FOOTER_BYTES || !tail.subarray(tail.length - 4).equals(MAGIC)) throw corrupt(key)
  const jsonLength = tail.readUInt32BE(tail.length - FOOTER_BYTES)
  if (jsonLength + FOOTER_BYTES > fileSize) throw corrupt(key)
  return jsonLength
}

/** The record in a tail of the file that holds all of it. */
function infoOf(tail: Buffer, jsonLength: number, fileSize: number, key: string): ObjectInfo {
  const jsonEnd = tail.length - FOOTER_BYTES
  const record = parseRecord(tail.toString('utf8', jsonEnd - jsonLength, jsonEnd), key)
  if (record.size !== fileSize - jsonLength - FOOTER_BYTES) throw corrupt(key)
  return {
    key,
    size: record.size,
    etag: record.etag,
    contentType: record.contentType,
    lastModified: new Date(record.lastModified),
    metadata: record.metadata,
    visibility: record.visibility,
    checksum: record.sha256 === undefined ? {} : { sha256: record.sha256 },
    ...optionalAttributes(record),
  }
}

/** What `readRecord` reads from: a `FileHandle`, or a plain descriptor behind the same two calls. */
export interface RecordSource {
  stat(): Promise<{ size: number }>
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>
}

/** Reads an object file's record; `size` is the length of its bytes (the trailer excluded). */
export async function readRecord(handle: RecordSource, key: string): Promise<ObjectInfo> {
  const { size: fileSize } = await handle.stat()
  if (fileSize < FOOTER_BYTES) throw corrupt(key)
  const tailLength = Math.min(fileSize, TAIL_READ)
  let tail = Buffer.allocUnsafe(tailLength)
  await handle.read(tail, 0, tailLength, fileSize - tailLength)
  const jsonLength = jsonLengthOf(tail, fileSize, key)
  if (jsonLength + FOOTER_BYTES > tailLength) {
    tail = Buffer.allocUnsafe(jsonLength + FOOTER_BYTES)
    await handle.read(tail, 0, tail.length, fileSize - tail.length)
  }
  return infoOf(tail, jsonLength, fileSize, key)
}

/** The record of an object file read whole (`file`); its bytes are `file.subarray(0, info.size)`. */
export function recordOfFile(file: Buffer, key: string): ObjectInfo {
  return infoOf(file, jsonLengthOf(file, file.length, key), file.length, key)
}
