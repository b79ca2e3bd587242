import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import type { DeleteResult, NormalizedKey, ObjectInfo, PresignOptions } from '@coffer/core'
import type { Driver, DriverCopyOptions } from '@coffer/core/driver'
import { copyObject } from './s3-copy.ts'
import { isUnsupported, s3Error } from './s3-errors.ts'
import { listKeys } from './s3-list.ts'
import { multipartOf } from './s3-multipart.ts'
import { createClient, DEFAULT_DEADLINE, MiB, type S3DriverOptions } from './s3-options.ts'
import { type PresignPostOptions, presignPost } from './s3-post.ts'
import { putObject } from './s3-put.ts'
import { getObject, headObject, statObject } from './s3-read.ts'
import { stagedMultipart } from './s3-staged-multipart.ts'
import { sweepNative, sweepStaged } from './s3-sweep.ts'

/** S3's limit on keys per DeleteObjects request. */
const DELETE_BATCH = 1000

export interface S3Driver extends Driver {
  /** The bucket this driver writes to. */
  readonly bucket: string
  /** A presigned POST for browser uploads, with a size range and a content type the server enforces. */
  presignPost(
    key: NormalizedKey,
    opts: PresignPostOptions,
  ): Promise<{ url: string; fields: Record<string, string> }>
  /**
   * Aborts the bucket's multipart uploads started before `olderThan` (see `sweepNative`), and with
   * `multipart: 'staged'` removes the staged ones too (`sweepStaged`).
   */
  sweepUploads(olderThan: Date, opts?: { signal?: AbortSignal }): Promise<number>
}

/**
 * Amazon S3 and S3-compatible stores (Ceph RGW, MinIO, R2, Wasabi, …) through the AWS SDK v3.
 * Visibility is Coffer's own metadata (`x-amz-meta-coffer-visibility`), not an ACL: buckets made
 * since April 2023 have ACLs disabled. Every call maps its failures to `StorageError`.
 */
export function s3Driver(options: S3DriverOptions): S3Driver {
  const client = createClient(options)
  const bucket = options.bucket
  const partSize = Math.max(options.partSize ?? 8 * MiB, 5 * MiB)
  const conditionalWrites = options.conditionalWrites ?? options.endpoint === undefined
  const staged = options.multipart === 'staged'
  const signalOf = (signal?: AbortSignal) => (signal ? { abortSignal: signal } : {})

  async function call<T>(what: string, key: string | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (error) {
      throw s3Error(error, what, key)
    }
  }
  const head = (key: string, signal?: AbortSignal) => headObject(client, bucket, key, signal)
  const stat = (key: string, signal?: AbortSignal) => statObject(client, bucket, key, signal)
  const putContext = {
    client,
    bucket,
    partSize,
    queueSize: options.queueSize ?? 4,
    acl: options.acl ?? false,
    conditionalWrites,
    deadline: options.deadline ?? DEFAULT_DEADLINE,
    head,
  }

  async function deleteBatch(keys: string[], signal?: AbortSignal): Promise<DeleteResult> {
    const input = { Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }
    const output = await client.send(new DeleteObjectsCommand(input), signalOf(signal))
    const failed = new Map((output.Errors ?? []).map((e) => [e.Key ?? '', e]))
    return {
      deleted: keys.filter((key) => !failed.has(key)),
      errors: [...failed.values()].map((e) => ({
        key: e.Key ?? '',
        code: s3Error({ name: e.Code }, 'deleting').code,
        message: `deleting failed: ${e.Code ?? 'error'}`,
      })),
    }
  }

  return {
    name: 's3',
    bucket,
    capabilities: {
      conditionalWrite: conditionalWrites,
      computesEtag: true,
      ...(options.maxSegmentBytes === undefined ? {} : { maxSegmentBytes: options.maxSegmentBytes }),
    },

    put: (key, body, opts) => call('writing the object', key, () => putObject(putContext, key, body, opts)),
    get: (key, opts) => call('reading the object', key, () => getObject(client, bucket, key, opts)),
    head: (key, opts) => call('reading the object', key, () => head(key, opts?.signal)),

    async delete(key, opts) {
      await call('deleting the object', key, () =>
        client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), signalOf(opts?.signal)),
      )
    },

    async deleteMany(keys, opts) {
      const result: DeleteResult = { deleted: [], errors: [] }
      for (let i = 0; i < keys.length; i += DELETE_BATCH) {
        const batch = await call('deleting objects', undefined, () =>
          deleteBatch(keys.slice(i, i + DELETE_BATCH), opts?.signal),
        )
        result.deleted.push(...batch.deleted)
        result.errors.push(...batch.errors)
      }
      return result
    },

    async *list(start, hint, opts) {
      try {
        yield* listKeys(client, bucket, start, hint, opts?.signal)
      } catch (error) {
        throw s3Error(error, 'listing objects')
      }
    },

    copy: (from, to, opts: DriverCopyOptions): Promise<ObjectInfo> =>
      call('copying the object', from, () =>
        copyObject({ client, bucket, acl: putContext.acl, conditionalWrites, head, stat }, from, to, opts),
      ),

    async presign(key: NormalizedKey, opts: PresignOptions): Promise<string> {
      return call('signing the URL', key, async () => {
        const command =
          opts.method === 'GET'
            ? new GetObjectCommand({
                Bucket: bucket,
                Key: key,
                ...(opts.contentType ? { ResponseContentType: opts.contentType } : {}),
                ...(opts.contentDisposition ? { ResponseContentDisposition: opts.contentDisposition } : {}),
              })
            : new PutObjectCommand({
                Bucket: bucket,
                Key: key,
                ...(opts.contentType ? { ContentType: opts.contentType } : {}),
              })
        const signableHeaders =
          opts.contentType && opts.method === 'PUT' ? new Set(['content-type']) : undefined
        return getSignedUrl(client, command, {
          expiresIn: opts.expiresIn,
          ...(signableHeaders ? { signableHeaders } : {}),
        })
      })
    },

    presignPost: (key, opts) =>
      call('signing the upload form', key, () => presignPost(client, bucket, key, opts)),

    multipart: staged
      ? stagedMultipart(
          { client, bucket, partSize, acl: putContext.acl, deadline: putContext.deadline, head },
          call,
        )
      : multipartOf(client, bucket, head, call),

    sweepUploads: (olderThan, opts) =>
      call('sweeping abandoned uploads', undefined, async () => {
        if (!staged) return sweepNative(client, bucket, olderThan, opts?.signal)
        const removed = await sweepStaged(client, bucket, olderThan, opts?.signal)
        // `put` still sends large bodies as the server's own multipart uploads: swept where it can be.
        const native = await sweepNative(client, bucket, olderThan, opts?.signal).catch((error: unknown) => {
          if (isUnsupported(error)) return 0
          throw error
        })
        return removed + native
      }),

    async close() {
      client.destroy()
    },
  }
}
