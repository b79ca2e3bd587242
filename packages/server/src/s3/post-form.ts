import type { IncomingHttpHeaders } from 'node:http'
import { PassThrough, type Readable } from 'node:stream'
import { isStorageError } from '@coffer/core'
import { Busboy, type BusboyFileStream, type BusboyInstance } from '@fastify/busboy'
import { isS3Error, S3Error } from './s3-error.ts'

/** A POST upload's form: its fields (names in lower case) and the file, not yet read. */
export interface PostForm {
  readonly fields: ReadonlyMap<string, string>
  /** The bytes of the `file` part, streaming; it fails if the form breaks or the body stalls. */
  readonly file: Readable
  /** The file name the client sent with the part, without any path; '' when none. */
  readonly filename: string
}

/** Bounds on the fields before the file (S3 allows 20 KiB of them in all; a field the same). */
export const POST_FORM_LIMITS = { fields: 64, fieldBytes: 20 * 1024, fieldNameBytes: 128 } as const

const malformed = (cause?: unknown) =>
  new S3Error(
    'MalformedPOSTRequest',
    'The body of your POST request is not well-formed multipart/form-data.',
    {
      cause,
    },
  )
const tooLarge = () =>
  new S3Error(
    'MaxPostPreDataLengthExceededError',
    'Your POST request fields preceding the upload file were too large.',
  )

/**
 * The file part as the caller reads it. busboy fails the part itself with a plain `Error` when the
 * form ends inside it ("Part terminated early…": a body cut short): that is the client's fault,
 * `MalformedPOSTRequest`, not a failure of the service. Destroying it stops reading the part.
 */
function clientFaults(part: BusboyFileStream): Readable {
  const file = new PassThrough({
    destroy(error, done) {
      part.destroy()
      done(error)
    },
  })
  part.on('error', (error) =>
    file.destroy(isS3Error(error) || isStorageError(error) ? error : malformed(error)),
  )
  part.pipe(file)
  return file
}

/**
 * Reads a browser POST upload (multipart/form-data, per the S3 API reference's "POST Object") with
 * busboy: the fields are collected (bounded) until the `file` part begins, which is handed over
 * unread, so the caller checks the policy and signature before a byte of the file is stored. Fields
 * after the file are ignored, as on S3. Rejects with `MalformedPOSTRequest`, a too-large field or
 * too many with `MaxPostPreDataLengthExceededError`, and a form without a file with
 * `IncorrectNumberOfFilesInPostRequest`.
 */
export function readPostForm(body: Readable, headers: IncomingHttpHeaders): Promise<PostForm> {
  return new Promise((resolve, reject) => {
    let parser: BusboyInstance
    try {
      parser = Busboy({
        headers: headers as IncomingHttpHeaders & { 'content-type': string },
        limits: {
          fields: POST_FORM_LIMITS.fields,
          fieldSize: POST_FORM_LIMITS.fieldBytes,
          fieldNameSize: POST_FORM_LIMITS.fieldNameBytes,
          files: 1,
          parts: POST_FORM_LIMITS.fields + 1,
          headerPairs: 16,
        },
        // Only the `file` part streams; any other part, with a file name or not, is a bounded field.
        isPartAFile: (name) => name?.toLowerCase() === 'file',
      })
    } catch (error) {
      reject(malformed(error))
      return
    }
    const fields = new Map<string, string>()
    let file: BusboyFileStream | undefined
    const fail = (error: S3Error) => {
      if (file !== undefined) {
        file.destroy(error)
        return
      }
      body.unpipe(parser)
      reject(error)
    }
    parser.on('field', (name, value, nameTruncated, valueTruncated) => {
      if (file !== undefined) return
      if (nameTruncated || valueTruncated) return fail(tooLarge())
      const lower = name.toLowerCase()
      if (fields.has(lower)) return fail(new S3Error('InvalidArgument', `the form names ${lower} twice`))
      fields.set(lower, value)
    })
    parser.on('file', (_name, stream, filename) => {
      file = stream
      resolve({ fields, file: clientFaults(stream), filename: filename ?? '' })
    })
    parser.on('fieldsLimit', () => fail(tooLarge()))
    parser.on('partsLimit', () => fail(tooLarge()))
    parser.on('error', (error) => fail(malformed(error)))
    parser.on('finish', () => {
      if (file === undefined)
        fail(
          new S3Error(
            'IncorrectNumberOfFilesInPostRequest',
            'POST requires exactly one file upload per request.',
          ),
        )
    })
    // The body fails on a client gone, a stall or a cut-off (see `bodyOf`): so does the form.
    body.once('error', (error) => (file === undefined ? reject(error) : file.destroy(error)))
    body.pipe(parser)
  })
}
