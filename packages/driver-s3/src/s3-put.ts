import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import {
  PutObjectCommand,
  type PutObjectCommandInput,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { type ObjectInfo, StorageError } from '@coffer/core'
import { type DriverPutOptions, optionalAttributes, type PutBody } from '@coffer/core/driver'
import { s3Error } from './s3-errors.ts'
import { headerFields, SHA256_TAG, toS3Metadata } from './s3-metadata.ts'

export interface PutContext {
  client: S3Client
  bucket: string
  partSize: number
  queueSize: number
  acl: boolean
  conditionalWrites: boolean
  /** Milliseconds the steps after a multipart upload are retried for (see `S3DriverOptions.deadline`). */
  deadline: number
  /** Reads the object back: radosgw answers an empty etag to CompleteMultipartUpload. */
  head(key: string, signal?: AbortSignal): Promise<ObjectInfo>
}

/** Reads up to `limit` bytes from the body's iterator; `done` when the body ended within them. */
export async function readUpTo(chunks: AsyncIterator<Buffer>, limit: number) {
  const buffered: Buffer[] = []
  let size = 0
  while (size <= limit) {
    const next = await chunks.next()
    if (next.done) return { buffered, size, done: true }
    buffered.push(next.value)
    size += next.value.length
  }
  return { buffered, size, done: false }
}

function baseInput(ctx: PutContext, key: string, opts: DriverPutOptions) {
  const input = {
    Bucket: ctx.bucket,
    Key: key,
    ContentType: opts.contentType,
    ...headerFields(opts),
    ...(ctx.acl
      ? { ACL: opts.visibility === 'public' ? ('public-read' as const) : ('private' as const) }
      : {}),
  }
  return input
}

/**
 * Writes an object. A body that fits in one part is buffered (bounded by `partSize`), hashed, and
 * sent in one PutObject with its sha256 in the metadata and its MD5 checked by the server. A larger
 * body, or one of unknown length, streams as a multipart upload (`lib-storage`: bounded memory,
 * parallel parts, the upload aborted on failure); its sha256 is known only at the end, so it is
 * stored as an object tag.
 */
export async function putObject(
  ctx: PutContext,
  key: string,
  body: PutBody,
  opts: DriverPutOptions,
): Promise<ObjectInfo> {
  try {
    return await write(ctx, key, body, opts)
  } catch (error) {
    body.destroy() // stop the feeding side too: nothing more will be read
    if ((error as { name?: string }).name === 'NoSuchUpload') {
      // A CompleteMultipartUpload retried after its answer was lost finds its upload gone: the object
      // may well have landed. Not a missing object (404): an outcome unknown, worth a retry (503).
      const message = 'writing the object: the S3 server lost track of the upload; try again'
      throw new StorageError('Unavailable', message, { cause: s3Error(error, 'completing the upload'), key })
    }
    throw error
  }
}

async function write(
  ctx: PutContext,
  key: string,
  body: PutBody,
  opts: DriverPutOptions,
): Promise<ObjectInfo> {
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  const first = await readUpTo(chunks, ctx.partSize)
  const signal = opts.signal ? { abortSignal: opts.signal } : {}
  if (first.done) {
    const digest = body.digest()
    const bytes = Buffer.concat(first.buffered, first.size)
    // One small buffer: its MD5 costs little and lets the server check the bytes it received.
    const md5 = createHash('md5').update(bytes).digest()
    const input: PutObjectCommandInput = {
      ...baseInput(ctx, key, opts),
      Body: bytes,
      ContentLength: first.size,
      ContentMD5: md5.toString('base64'),
      Metadata: toS3Metadata(opts.metadata, opts.visibility, digest.sha256),
    }
    if (opts.ifNoneMatch === '*' && ctx.conditionalWrites) input.IfNoneMatch = '*'
    const sent = await ctx.client.send(new PutObjectCommand(input), signal)
    return {
      key,
      size: first.size,
      etag: sent.ETag || `"${md5.toString('hex')}"`,
      contentType: opts.contentType,
      lastModified: new Date(),
      metadata: { ...opts.metadata },
      visibility: opts.visibility,
      checksum: { sha256: digest.sha256 },
      ...optionalAttributes(opts),
    }
  }
  if (opts.ifNoneMatch === '*' && ctx.conditionalWrites) {
    // lib-storage cannot make CompleteMultipartUpload conditional: check first (not atomic).
    const exists = await ctx.head(key, opts.signal).then(
      () => true,
      () => false,
    )
    if (exists)
      throw new StorageError('PreconditionFailed', (name) => `an object already exists at "${name}"`, { key })
  }
  async function* rest() {
    yield* first.buffered
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value
  }
  const upload = new Upload({
    client: ctx.client,
    params: {
      ...baseInput(ctx, key, opts),
      Body: Readable.from(rest()),
      Metadata: toS3Metadata(opts.metadata, opts.visibility),
    },
    partSize: ctx.partSize,
    queueSize: ctx.queueSize,
    leavePartsOnError: false,
  })
  const abort = () => void upload.abort()
  opts.signal?.addEventListener('abort', abort, { once: true })
  try {
    await upload.done()
  } finally {
    opts.signal?.removeEventListener('abort', abort)
  }
  const { sha256 } = body.digest()
  const tagging = { TagSet: [{ Key: SHA256_TAG, Value: sha256 }] }
  // The object is complete from here on: a failure now would answer 503 for an object that landed
  // (and lose its sha256), so these idempotent steps are tried again within the deadline.
  await persist(ctx.deadline, opts.signal, () =>
    ctx.client.send(new PutObjectTaggingCommand({ Bucket: ctx.bucket, Key: key, Tagging: tagging }), signal),
  )
  const info = await persist(ctx.deadline, opts.signal, () => ctx.head(key, opts.signal))
  return { ...info, checksum: { sha256 } }
}

/** Pauses between tries of a step after an upload: the SDK's own retries have already run. */
const PERSIST_BACKOFF = [200, 1000, 3000]

/**
 * Runs an idempotent step until it succeeds, its failure is not retryable, or `deadline` ms have
 * passed since the first try.
 */
export async function persist<T>(
  deadline: number,
  signal: AbortSignal | undefined,
  step: () => Promise<T>,
): Promise<T> {
  const started = Date.now()
  for (let attempt = 0; ; attempt++) {
    try {
      return await step()
    } catch (error) {
      const pause = PERSIST_BACKOFF[attempt]
      const mapped = s3Error(error, 'finishing the upload')
      if (
        pause === undefined ||
        !mapped.retryable ||
        signal?.aborted ||
        Date.now() - started + pause > deadline
      )
        throw error
      await new Promise((resolve) => setTimeout(resolve, pause))
    }
  }
}
