import { pipeline, Transform, type TransformCallback } from 'node:stream'
import { normalizeKey, normalizeMediaType, type UploadOptions } from '@coffer/core'
import { authorizeAs } from '../domain/auth/authorize.ts'
import { bodyOf, slotOwner } from '../http/receive-object.ts'
import { clientGone } from '../http/serve-object.ts'
import { refuseAcl } from './canned-acl.ts'
import { tagWritten } from './object-tagging.ts'
import { type PostForm, readPostForm } from './post-form.ts'
import { checkPostPolicy, parsePostPolicy } from './post-policy.ts'
import { verifyPostSignature } from './post-signature.ts'
import { principalOf } from './principal-of.ts'
import { AMZ_META, quotedEtag, type S3Call, sendXml } from './s3-call.ts'
import { S3Error } from './s3-error.ts'
import { decodeS3MetadataValue } from './s3-metadata.ts'
import { buildS3Xml } from './s3-xml.ts'
import { parseTaggingXml } from './tag-set.ts'
import { refuseUnservedObjectHeaders } from './unserved-headers.ts'

/** Whether a POST to a bucket is a browser upload (POST Object): a multipart/form-data body. */
export function isPostUpload(call: S3Call): boolean {
  return /^multipart\/form-data\s*;/i.test(call.request.headers['content-type'] ?? '')
}

/**
 * Counts a file's bytes as they pass: past `max` it fails with `EntityTooLarge` at once (nothing
 * more is read, and the atomic upload keeps nothing); at the end, under `min`, with `EntityTooSmall`.
 */
class LengthRange extends Transform {
  readonly min: number
  readonly max: number
  #seen = 0
  constructor(min: number, max: number) {
    super()
    this.min = min
    this.max = max
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#seen += chunk.length
    if (this.#seen > this.max)
      done(new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size'))
    else done(null, chunk)
  }
  override _flush(done: TransformCallback): void {
    done(
      this.#seen < this.min
        ? new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size')
        : null,
    )
  }
}

/** The upload options of a form's fields: its type, headers and `x-amz-meta-*` fields. */
function formOptions(fields: ReadonlyMap<string, string>): Omit<UploadOptions, 'key'> {
  // Form fields are text already (UTF-8, as the form was sent): only encoded words need decoding.
  const metadata: Record<string, string> = {}
  for (const [name, value] of fields)
    if (name.startsWith(AMZ_META)) metadata[name.slice(AMZ_META.length)] = decodeS3MetadataValue(value)
  const opts: Omit<UploadOptions, 'key'> = { metadata }
  const type = fields.get('content-type')
  if (type !== undefined && type !== '') opts.contentType = normalizeMediaType(type)
  for (const [field, option] of [
    ['cache-control', 'cacheControl'],
    ['content-disposition', 'contentDisposition'],
    ['content-encoding', 'contentEncoding'],
  ] as const) {
    const value = fields.get(field)
    if (value !== undefined) opts[option] = value
  }
  return opts
}

/** S3's placeholder in a POST form's key for the uploaded file's name: literal text, not a template. */
export const FILENAME = ['$', '{filename}'].join('')

/** The object's key: the `key` field, `${filename}` in it replaced by the file's name, as on S3. */
function keyOf(form: PostForm): string {
  const key = form.fields.get('key')
  if (key === undefined || key === '')
    throw new S3Error('InvalidArgument', "Bucket POST must contain a field named 'key'.")
  return key.replaceAll(FILENAME, form.filename)
}

/** The answer S3 gives a POST upload: a redirect, or `success_action_status` (default 204). */
function answer(
  call: S3Call,
  fields: ReadonlyMap<string, string>,
  bucket: string,
  key: string,
  etag: string,
) {
  const path = `/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`
  const location = `${call.request.protocol}://${call.request.headers.host ?? '127.0.0.1'}${path}`
  call.reply.header('etag', quotedEtag(etag)).header('location', location)
  // The redirect was signed (the policy names every field); one that is no http(s) URL is ignored,
  // as S3 does, and the status answers instead.
  const redirect = fields.get('success_action_redirect') ?? fields.get('redirect')
  if (redirect !== undefined && /^https?:\/\//i.test(redirect) && URL.canParse(redirect)) {
    const target = new URL(redirect)
    target.searchParams.set('bucket', bucket)
    target.searchParams.set('key', key)
    target.searchParams.set('etag', quotedEtag(etag))
    call.reply.header('location', target.toString()).code(303).send()
    return
  }
  const status = fields.get('success_action_status')
  if (status === '201') {
    const xml = buildS3Xml('PostResponse', {
      Location: location,
      Bucket: bucket,
      Key: key,
      ETag: quotedEtag(etag),
    })
    return sendXml(call, xml, 201)
  }
  call.reply.code(status === '200' ? 200 : 204).send()
}

/**
 * POST Object: a browser upload with a signed policy. The form's fields are read first (bounded),
 * then its signature and policy are checked (expiry, every condition, no field left unnamed), then
 * the key the credential may write, and only then does the file stream, within the policy's
 * `content-length-range`, into the bucket layer: the bucket's policy, quota, index and audit, as for
 * every other write.
 */
export async function postObject(call: S3Call, bucket: string): Promise<void> {
  const form = await readPostForm(bodyOf(call.request.raw, call.ctx.bodyLimits), call.request.headers)
  try {
    const accessKeyId = await verifyPostSignature(call.ctx, form.fields, call.region)
    const policy = parsePostPolicy(form.fields.get('policy') ?? '')
    const named = form.fields.get('bucket')
    if (named !== undefined && named !== bucket)
      throw new S3Error('InvalidArgument', 'the form names another bucket than the URL')
    const keyNamed = keyOf(form)
    const range = checkPostPolicy(policy, form.fields, bucket, Date.now(), keyNamed)
    refuseAcl(call, 'object', form.fields.get('acl') ?? 'private')
    refuseUnservedObjectHeaders(call, (name) => form.fields.get(name))
    const key = normalizeKey(keyNamed)
    const tagging = form.fields.get('tagging')
    const tags = tagging === undefined ? undefined : parseTaggingXml(tagging)
    const principal = await principalOf(call.ctx, accessKeyId)
    const objects = await authorizeAs(call.ctx, call.request, principal, bucket, [key, 'write'])
    const opts = formOptions(form.fields)
    const body =
      range === undefined ? form.file : pipeline(form.file, new LengthRange(range.min, range.max), () => {})
    const release = call.ctx.bodyLimits.acquire(slotOwner(objects, key))
    try {
      opts.signal = clientGone(call.request, call.reply)
      const info = await objects.upload(key, body, opts)
      await tagWritten(call, objects, key, info.etag, tags)
      answer(call, form.fields, bucket, key, info.etag)
    } finally {
      release()
    }
  } catch (error) {
    // Refused before or while the file streamed: what is left of it is not read.
    form.file.destroy()
    throw error
  }
}
