import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3'
import { isStorageError, type NormalizedKey, type ObjectInfo, StorageError } from '@coffer/core'
import { isUploadId, type MultipartDriver, multipartEtag, type StoredPart } from '@coffer/core/driver'
import { LONG_BODY, sendBody } from './s3-deadline.ts'
import { s3Error } from './s3-errors.ts'
import { headerFields, MULTIPART_ETAG, toS3Metadata } from './s3-metadata.ts'
import type { Call } from './s3-multipart.ts'
import { persist, readUpTo } from './s3-put.ts'
import { infoOf } from './s3-read.ts'
import { joinParts } from './s3-staged-join.ts'
import { deleteFolder, listUnder, manifestKey, partKey, partNumberOf, uploadFolder } from './s3-staging.ts'

/** PutObject's limit: a staged upload is joined by one PutObject, so its object is at most 5 GiB. */
const MAX_PUT = 5 * 1024 ** 3

export interface StagedContext {
  client: S3Client
  bucket: string
  /** A part of unknown length is buffered up to this many bytes (`S3DriverOptions.partSize`). */
  partSize: number
  acl: boolean
  /** Milliseconds the clean-up after a completion is retried for (`S3DriverOptions.deadline`). */
  deadline: number
  head(key: string): Promise<ObjectInfo>
}

function noSuchUpload(key: string): StorageError {
  return new StorageError('NotFound', (name) => `no multipart upload in progress at "${name}"`, { key })
}

/**
 * Multipart uploads for S3 servers whose own multipart is unusable (s3rver: no ListParts, no
 * AbortMultipartUpload, completions unchecked, the whole object's md5 as etag). Each part is an
 * object of its own under `STAGING_PREFIX`, beside a manifest that holds the object's attributes;
 * ListParts lists them, abort deletes them, and a completion (checked by the service, as for every
 * driver) streams them in order into one PutObject of known length, which stores the multipart etag
 * in the metadata (`MULTIPART_ETAG`), so that head and get show the etag S3 would. Objects are thus
 * at most 5 GiB, and every byte is read back once more at completion.
 */
export function stagedMultipart(ctx: StagedContext, call: Call): MultipartDriver {
  const { client, bucket } = ctx
  const send = (signal?: AbortSignal) => (signal ? { abortSignal: signal } : {})

  /** The upload's folder and the attributes its manifest holds; `NotFound` when it is not this key's. */
  async function manifestOf(key: NormalizedKey, uploadId: string, signal?: AbortSignal) {
    if (!isUploadId(uploadId)) throw noSuchUpload(key)
    const folder = uploadFolder(key, uploadId)
    try {
      const input = { Bucket: bucket, Key: manifestKey(folder) }
      const output = await client.send(new HeadObjectCommand(input), send(signal))
      return { folder, info: infoOf(key, output, 0) }
    } catch (error) {
      if (isStorageError(s3Error(error, 'reading the upload'), 'NotFound')) throw noSuchUpload(key)
      throw error
    }
  }

  async function putPart(key: string, body: StoredBody, signal?: AbortSignal): Promise<{ etag: string }> {
    const { md5, ...fields } = body
    const command = new PutObjectCommand({ Bucket: bucket, Key: key, ...fields })
    const output =
      fields.Body instanceof Readable
        ? await sendBody(fields.Body, signal, (abortSignal) => client.send(command, { abortSignal }))
        : await client.send(command, send(signal))
    return { etag: output.ETag || (md5 === undefined ? '' : `"${md5.toString('hex')}"`) }
  }

  return {
    createUpload: (key, opts) =>
      call('starting the upload', key, async () => {
        const uploadId = randomBytes(16).toString('hex')
        const input: PutObjectCommandInput = {
          Bucket: bucket,
          Key: manifestKey(uploadFolder(key, uploadId)),
          Body: new Uint8Array(0),
          ContentType: opts.contentType,
          Metadata: toS3Metadata(opts.metadata, opts.visibility),
          ...headerFields(opts),
        }
        await client.send(new PutObjectCommand(input), send(opts.signal))
        return { uploadId }
      }),

    uploadPart: (key, uploadId, partNumber, body, opts) =>
      call('uploading a part', key, async () => {
        const { folder } = await manifestOf(key, uploadId, opts?.signal)
        const length = opts?.contentLength
        if (length !== undefined) {
          return putPart(partKey(folder, partNumber), { Body: body, ContentLength: length }, opts?.signal)
        }
        // A length the caller did not give: the part is buffered, within `partSize`, to learn it.
        const first = await readUpTo(body[Symbol.asyncIterator]() as AsyncIterator<Buffer>, ctx.partSize)
        if (!first.done) {
          body.destroy()
          const message = `a part of unknown length is staged only up to ${ctx.partSize} bytes: give its length`
          throw new StorageError('InvalidArgument', message, { key })
        }
        const bytes = Buffer.concat(first.buffered, first.size)
        const md5 = createHash('md5').update(bytes).digest()
        const stored = { Body: bytes, ContentLength: first.size, ContentMD5: md5.toString('base64'), md5 }
        return putPart(partKey(folder, partNumber), stored, opts?.signal)
      }),

    listParts: (key, uploadId) =>
      call('listing parts', key, async () => {
        const { folder } = await manifestOf(key, uploadId)
        const parts: StoredPart[] = []
        for await (const page of listUnder(client, bucket, folder)) {
          for (const object of page) {
            const partNumber = partNumberOf(folder, object.Key ?? '')
            if (partNumber !== undefined)
              parts.push({ partNumber, etag: object.ETag ?? '', size: object.Size ?? 0 })
          }
        }
        return parts.sort((a, b) => a.partNumber - b.partNumber)
      }),

    completeUpload: (key, uploadId, parts, opts) =>
      call('completing the upload', key, async () => {
        const { folder, info } = await manifestOf(key, uploadId, opts?.signal)
        const size = parts.reduce((sum, part) => sum + part.size, 0)
        if (size > MAX_PUT) {
          const message = `staged multipart joins an object in one PutObject: at most ${MAX_PUT} bytes`
          throw new StorageError('TooLarge', message, { key })
        }
        const staged = parts.map((part) => ({ ...part, key: partKey(folder, part.partNumber) }))
        const etag = multipartEtag(parts).replaceAll('"', '')
        const joined = joinParts(client, bucket, staged)
        const input: PutObjectCommandInput = {
          Bucket: bucket,
          Key: key,
          Body: joined,
          ContentLength: size,
          ContentType: info.contentType,
          Metadata: { ...toS3Metadata(info.metadata, info.visibility), [MULTIPART_ETAG]: etag },
          ...headerFields(info),
          ...(ctx.acl
            ? { ACL: info.visibility === 'public' ? ('public-read' as const) : ('private' as const) }
            : {}),
        }
        // A part that changed ends the PutObject at once (`sendBody`), and so does the caller's
        // signal; the parts and the manifest stay, for another completion.
        try {
          await sendBody(joined, opts?.signal, (abortSignal) =>
            client.send(new PutObjectCommand(input), { ...LONG_BODY, abortSignal }),
          )
        } finally {
          joined.destroy()
        }
        // The object is complete: the upload ends with its manifest, then its parts go. These
        // idempotent steps are retried within the deadline rather than failing a landed object.
        const manifest = { Bucket: bucket, Key: manifestKey(folder) }
        await persist(ctx.deadline, undefined, () => client.send(new DeleteObjectCommand(manifest)))
        await persist(ctx.deadline, undefined, () =>
          deleteFolder(client, bucket, folder, { manifest: false }),
        )
        return persist(ctx.deadline, undefined, () => ctx.head(key))
      }),

    abortUpload: (key, uploadId) =>
      call('aborting the upload', key, async () => {
        const { folder } = await manifestOf(key, uploadId)
        // Parts first: an abort that fails half-way leaves an upload that can be aborted again.
        await deleteFolder(client, bucket, folder, { manifest: false })
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: manifestKey(folder) }))
      }),
  }
}

/** The body of a part's PutObject, and its md5 when it was buffered. */
type StoredBody = Pick<PutObjectCommandInput, 'Body' | 'ContentLength' | 'ContentMD5'> & { md5?: Buffer }
