import { Readable } from 'node:stream'
import { buffer as readAll } from 'node:stream/consumers'
import { gzipSync } from 'node:zlib'
import { type Header, pack } from 'tar-stream'
import { ZipFile } from 'yazl'
import { type ExtractOptions, extractArchive } from '../../src/domain/sites/extract-archive.ts'

/** A file or folder of an archive built for a test. */
export interface TestEntry {
  name: string
  data?: string | Buffer
  /** tar: the entry type; zip: only 'directory' and 'symlink' (the latter via the mode bits). */
  type?: Header['type']
  linkname?: string
  /** zip: store instead of deflate. */
  store?: boolean
}

/** A zip of `entries`, built with yazl. Names yazl refuses are made with `patchName` afterwards. */
export async function zipOf(entries: TestEntry[]): Promise<Buffer> {
  const zip = new ZipFile()
  for (const entry of entries) {
    if (entry.type === 'directory') zip.addEmptyDirectory(entry.name)
    else if (entry.type === 'symlink')
      zip.addBuffer(Buffer.from(entry.linkname ?? ''), entry.name, { mode: 0o120777 })
    else zip.addBuffer(Buffer.from(entry.data ?? ''), entry.name, { compress: entry.store !== true })
  }
  zip.end()
  return readAll(zip.outputStream)
}

/** A zip whose one entry is `size` bytes of zeros, deflated as they are produced (a zip bomb). */
export function zipOfZeros(name: string, size: number): Readable {
  const zip = new ZipFile()
  zip.addReadStream(zeros(size), name, { size })
  zip.end()
  return Readable.from(zip.outputStream)
}

/** `size` zero bytes in 64 KiB chunks, never held at once. */
export function zeros(size: number): Readable {
  const chunk = Buffer.alloc(64 * 1024)
  return Readable.from(
    (function* () {
      for (let left = size; left > 0; left -= chunk.byteLength)
        yield chunk.subarray(0, Math.min(left, chunk.byteLength))
    })(),
  )
}

/** An uncompressed tar of `entries`, built with tar-stream (which writes any name it is given). */
export async function tarOf(entries: TestEntry[]): Promise<Buffer> {
  const tar = pack()
  for (const entry of entries) {
    const header: Header = { name: entry.name, type: entry.type ?? 'file' } as Header
    if (entry.linkname !== undefined) header.linkname = entry.linkname
    if (header.type === 'file') tar.entry(header, Buffer.from(entry.data ?? ''))
    else tar.entry(header)
  }
  tar.finalize()
  return readAll(tar as unknown as AsyncIterable<Buffer>)
}

/** A tar.gz of `entries`. */
export async function tarGzOf(entries: TestEntry[]): Promise<Buffer> {
  return gzipSync(await tarOf(entries))
}

/**
 * Replaces every occurrence of `from` by `to` (same byte length) in an archive: how names that the
 * archivers refuse to write (`../x`, `C:/x`, `a\b`) get into a zip. A zip has no checksum over its
 * names, so the result is a well-formed archive.
 */
export function patchName(archive: Buffer, from: string, to: string): Buffer {
  const find = Buffer.from(from)
  const put = Buffer.from(to)
  if (find.byteLength !== put.byteLength) throw new Error('patchName needs names of the same byte length')
  const out = Buffer.from(archive)
  for (let at = out.indexOf(find); at !== -1; at = out.indexOf(find, at + 1)) put.copy(out, at)
  return out
}

/** Sets every central directory record's declared uncompressed size: a zip that lies about its sizes. */
export function patchDeclaredSizes(archive: Buffer, size: number): Buffer {
  const out = Buffer.from(archive)
  const signature = Buffer.from([0x50, 0x4b, 0x01, 0x02])
  for (let at = out.indexOf(signature); at !== -1; at = out.indexOf(signature, at + 1))
    out.writeUInt32LE(size, at + 24)
  return out
}

/** What an extraction yielded: each file's path and content, in order. */
export async function extractAll(
  body: Buffer | AsyncIterable<Uint8Array>,
  options: ExtractOptions = {},
): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>()
  const source = Buffer.isBuffer(body) ? Readable.from([body]) : body
  for await (const entry of extractArchive(source, options))
    files.set(entry.path, await readAll(entry.stream))
  return files
}

/** The error an extraction fails with (the test fails if it does not). */
export async function extractionError(
  body: Buffer | AsyncIterable<Uint8Array>,
  options: ExtractOptions = {},
): Promise<unknown> {
  try {
    await extractAll(body, options)
  } catch (error) {
    return error
  }
  throw new Error('the extraction succeeded')
}
