import { PassThrough } from 'node:stream'
import {
  generateUniqueObjectName,
  isStorageError,
  type NormalizedKey,
  normalizeKey,
  normalizePrefix,
  type ObjectInfo,
  StorageError,
} from '@coffer/core'
import type { Multipart, MultipartFile } from '@fastify/multipart'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { authorize } from '../domain/auth/authorize.ts'
import type { BucketObjects } from '../domain/buckets/bucket-objects.ts'
import type { AppContext } from '../http/app-context.ts'
import { watchIdleBody } from '../http/body-limits.ts'
import { slotOwner } from '../http/receive-object.ts'
import { clientGone } from '../http/serve-object.ts'
import type { App } from '../http/typed-app.ts'
import { EXPIRES_AT_METADATA, expiryFrom } from '../support/object-expiry.ts'
import { BucketParams, ERROR_RESPONSES, ObjectJson, objectJson } from './schemas.ts'

/** Limits of the form parser; object sizes are the bucket's (enforced by the core while streaming). */
export const FORM_LIMITS = {
  fileSize: Number.MAX_SAFE_INTEGER,
  files: 100,
  fields: 10,
  fieldSize: 2048,
  parts: 110,
}

interface FormState {
  key?: NormalizedKey
  prefix?: string
  /** When the form's files expire (its `expiresIn` field). */
  expiresAt?: Date
  /** The bucket, once a file was authorised. */
  objects?: BucketObjects
  stored: ObjectInfo[]
  /** Gives back the upload slot the form took with its first file. */
  release?: () => void
  /** The body stalled (see `BodyLimits`). */
  stalled?: boolean
}

function invalid(message: string): StorageError {
  return new StorageError('InvalidArgument', message)
}

/** The key of the next file: the form's `key` (one file only), else a unique name under `prefix`. */
function keyFor(part: MultipartFile, state: FormState): NormalizedKey {
  if (state.key !== undefined) {
    if (state.stored.length > 0) throw invalid('a form with a "key" field takes one file')
    return state.key
  }
  const opts = state.prefix === undefined ? {} : { prefix: state.prefix }
  return generateUniqueObjectName(part.filename || 'file', opts)
}

/** The next part of a form; a body the parser cannot read is the client's fault (400), not ours. */
async function nextPart<T>(parts: AsyncIterator<T>): Promise<IteratorResult<T>> {
  try {
    return await parts.next()
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode
    if (isStorageError(error) || (status !== undefined && status < 500)) throw error
    throw new StorageError('InvalidArgument', 'the multipart body is malformed', { cause: error })
  }
}

/** Reads a form's parts in order: `key`/`prefix` fields, then `file` parts streamed one by one. */
async function storeParts(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  bucket: string,
  state: FormState,
): Promise<void> {
  const signal = clientGone(request, reply)
  const parts = request.parts()[Symbol.asyncIterator]()
  // The first call sets the parser reading the body: from then on a stalled body is watched.
  const first = nextPart(parts)
  const limits = ctx.bodyLimits
  const stopWatching = request.raw.complete
    ? () => undefined
    : watchIdleBody(
        request.raw,
        limits.idleTimeout,
        () => {
          state.stalled = true
          // The parser ends the form on an error of its request, failing the file being read.
          request.raw.emit('error', limits.timedOut())
        },
        limits.minBytes,
      )
  try {
    const advance = () => nextPart(parts)
    for (let next = await first; !next.done; ) {
      next = await storePart(ctx, request, next.value, bucket, state, { signal, advance })
    }
  } finally {
    stopWatching()
  }
}

type Next = IteratorResult<Multipart>

/** Most bytes of a refused form read to its end before answering; beyond, the connection closes. */
const SKIPPED_BYTES = 1024 * 1024

/** Reads and drops the parts from `next` to the form's end, up to `SKIPPED_BYTES` of files. */
async function skipRest(next: Next, advance: () => Promise<Next>): Promise<void> {
  let bytes = 0
  for (let current = next; !current.done; current = await advance()) {
    if (current.value.type !== 'file') continue
    for await (const chunk of current.value.file) {
      bytes += (chunk as Buffer).length
      if (bytes > SKIPPED_BYTES) return
    }
  }
}

/**
 * The one file of a form with a `key`, held back from the upload until the parser has seen what
 * follows it: the form's end lets the upload commit, any other part fails it. A refused form then
 * stores nothing, not even the object it would have replaced.
 */
function heldUntilFormEnd(part: MultipartFile, advance: () => Promise<Next>) {
  const held = new PassThrough()
  // The upload reads the error from the stream's state when it starts reading; one that comes first
  // (the upload still awaits its write intent or its quota) must not be an uncaught 'error' event,
  // which would end the process.
  held.on('error', () => undefined)
  let ahead: Promise<Next> | undefined
  part.file.on('error', (error: Error) => held.destroy(error))
  part.file.pipe(held, { end: false })
  part.file.once('end', () => {
    ahead = advance()
    ahead.then(
      async (next) => {
        if (next.done) return held.end()
        // Refused: the rest of a small form is read first, so that a client still sending it (fetch)
        // reads the answer instead of a reset; its errors change nothing, the form is refused anyway.
        await skipRest(next, advance).catch(() => undefined)
        held.destroy(invalid('a form with a "key" field takes one file'))
      },
      (error: Error) => held.destroy(error),
    )
  })
  // A refused upload stops reading: the part is dropped, so the parser does not wait for it.
  held.once('close', () => {
    if (!part.file.readableEnded) part.file.destroy()
  })
  return { body: held, next: () => ahead ?? advance() }
}

/** Reads one part: a `key`/`prefix` field, or a `file` streamed to the bucket; returns the next. */
async function storePart(
  ctx: AppContext,
  request: FastifyRequest,
  part: Multipart,
  bucket: string,
  state: FormState,
  { signal, advance }: { signal: AbortSignal; advance: () => Promise<Next> },
): Promise<Next> {
  // A part whose Content-Disposition has no name comes without a fieldname.
  if (typeof part.fieldname !== 'string') throw invalid('every form part needs a name')
  if (part.type === 'field') {
    if (state.stored.length > 0)
      throw invalid('"key", "prefix" and "expiresIn" fields must come before the files')
    if (part.fieldname === 'key') state.key = normalizeKey(String(part.value))
    else if (part.fieldname === 'prefix') state.prefix = normalizePrefix(String(part.value))
    else if (part.fieldname === 'expiresIn') state.expiresAt = expiryFrom(String(part.value))
    else
      throw invalid(
        `unknown form field "${part.fieldname.slice(0, 64)}": use key, prefix, expiresIn and file`,
      )
    return advance()
  }
  // A part's stream fails when the body is malformed or cut short: the client's fault, not ours. It
  // may fail before the upload reads it (while the key is authorised): `errored` keeps that error.
  // `on`, not `once`: a cut-off part may fail more than once, and an 'error' event with no listener
  // is an uncaught exception, which would end the process.
  let broken: Error | undefined
  part.file.on('error', (error: Error) => {
    broken ??= error
  })
  if (part.fieldname !== 'file') throw invalid('files go in parts named "file"')
  const key = keyFor(part, state)
  state.objects = await authorize(ctx, request, bucket, [key, 'write'])
  state.release ??= ctx.bodyLimits.acquire(slotOwner(state.objects, key))
  const declared = {
    ...(part.mimetype === '' ? {} : { contentType: part.mimetype }),
    // Kept as the object's `expires-at` metadata, as `x-coffer-expires` is on a PUT.
    ...(state.expiresAt === undefined
      ? {}
      : { metadata: { [EXPIRES_AT_METADATA]: state.expiresAt.toISOString() } }),
  }
  const held = state.key === undefined ? undefined : heldUntilFormEnd(part, advance)
  try {
    state.stored.push(await state.objects.upload(key, held?.body ?? part.file, { ...declared, signal }))
    return await (held?.next() ?? advance())
  } catch (error) {
    broken ??= part.file.errored ?? undefined
    const typed = isStorageError(error) && error.code !== 'Internal'
    if (broken === undefined || signal.aborted || typed) throw error
    throw new StorageError('InvalidArgument', 'the multipart body is malformed or was cut short', {
      cause: broken,
    })
  }
}

/**
 * `POST /v1/buckets/:bucket/objects`: a multipart/form-data upload of one or more `file` parts, as
 * browsers send them. A `key` field names the (single) object; otherwise each file gets a unique
 * name from its file name, under the `prefix` field if given; an `expiresIn` field (seconds, as
 * `x-coffer-expires` on a PUT) makes the files expire. Fields must precede the files, which
 * stream to the storage one after the other. When a file fails, the files this form stored under
 * unique names are removed again, so a refused form leaves nothing.
 */
export function formUploadRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/v1/buckets/:bucket/objects',
    {
      schema: {
        tags: ['objects'],
        summary: 'Upload files from a multipart/form-data form',
        description:
          'Fields: key (one file) or prefix, expiresIn (seconds until the files expire), then one or more "file" parts.',
        consumes: ['multipart/form-data'],
        params: BucketParams,
        response: { 201: Type.Object({ objects: Type.Array(ObjectJson) }), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw new StorageError('UnsupportedMediaType', 'send multipart/form-data')
      const { bucket } = request.params
      const state: FormState = { stored: [] }
      try {
        await storeParts(ctx, request, reply, bucket, state)
      } catch (error) {
        // Unique names are new objects: removing them restores the bucket as it was.
        if (state.key === undefined && state.stored.length > 0) {
          await state.objects?.deleteMany(state.stored.map((o) => o.key))
        }
        throw state.stalled ? ctx.bodyLimits.timedOut() : error
      } finally {
        state.release?.()
      }
      if (state.stored.length === 0) throw invalid('the form has no "file" part')
      return reply.code(201).send({ objects: state.stored.map(objectJson) })
    },
  )
}
