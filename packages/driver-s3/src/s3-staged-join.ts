import { Readable } from 'node:stream'
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { StorageError } from '@coffer/core'
import { s3Error } from './s3-errors.ts'
import { ResumingBody } from './s3-resume.ts'

/** A staged part as the completion reads it: its object, and the etag and size it was checked with. */
export interface StagedPart {
  partNumber: number
  key: string
  etag: string
  size: number
}

function changed(part: StagedPart, cause?: unknown): StorageError {
  const message = `part ${part.partNumber} changed or vanished since the completion was checked`
  return new StorageError('InvalidPart', message, { cause })
}

/**
 * The bytes of `parts` one after the other, as one stream for a PutObject of known length. Each part
 * is read only when the previous one has ended, with a GetObject pinned to the etag it was checked
 * with (`If-Match`) and resumed where it broke (`ResumingBody`); the stream is pulled, so a slow
 * PutObject slows the reads (a part's socket left idle past the idle timeout is read again from where
 * it stopped). A part that changed fails the stream with `InvalidPart`, also where the server ignores
 * `If-Match` (s3rver) and the part has more bytes than were checked. Destroying the stream destroys
 * the part being read.
 */
export function joinParts(client: S3Client, bucket: string, parts: readonly StagedPart[]): Readable {
  async function open(part: StagedPart, offset: number): Promise<Readable> {
    const range = offset > 0 ? { Range: `bytes=${offset}-${part.size - 1}` } : {}
    try {
      const input = { Bucket: bucket, Key: part.key, IfMatch: part.etag, ...range }
      return (await client.send(new GetObjectCommand(input))).Body as Readable
    } catch (error) {
      const code = s3Error(error, 'reading a part').code
      throw code === 'NotFound' || code === 'PreconditionFailed' ? changed(part, error) : error
    }
  }
  async function* bytes(): AsyncGenerator<Buffer> {
    for (const part of parts) {
      if (part.size === 0) continue
      const body = new ResumingBody(await open(part, 0), part.size, part.key, (offset) => open(part, offset))
      let read = 0
      for await (const chunk of body as AsyncIterable<Buffer>) {
        read += chunk.length
        if (read > part.size) throw changed(part)
        yield chunk
      }
    }
  }
  return Readable.from(bytes(), { objectMode: false })
}
