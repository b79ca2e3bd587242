import { authorizeAs } from '../domain/auth/authorize.ts'
import type { MultipartUpload, MultipartUploadStore } from '../domain/uploads/multipart-upload-store.ts'
import { listUploadsXml } from './multipart-xml.ts'
import { type S3Call, sendXml, signedBy } from './s3-call.ts'
import { S3Error } from './s3-error.ts'

/** Above every key that starts with a prefix, in UTF-8 byte order: U+10FFFF is F4 8F BF BF. */
const AFTER_ALL = '\u{10FFFF}'

interface UploadsStart {
  prefix: string
  delimiter: string | undefined
  keyMarker: string | undefined
  uploadIdMarker: string | undefined
}

interface UploadsPage {
  uploads: MultipartUpload[]
  prefixes: string[]
  truncated: boolean
}

/**
 * One page of uploads, `max` entries at most (uploads and common prefixes together, as S3 counts
 * them). A key with the delimiter after the prefix folds into a common prefix, and the next query
 * starts after every key under it, so each prefix is named once however many uploads it holds.
 */
async function pageOf(
  store: MultipartUploadStore,
  bucket: string,
  start: UploadsStart,
  max: number,
): Promise<UploadsPage> {
  const page: UploadsPage = { uploads: [], prefixes: [], truncated: false }
  const folded = (key: string) => {
    if (start.delimiter === undefined) return undefined
    const at = key.indexOf(start.delimiter, start.prefix.length)
    return at < 0 ? undefined : key.slice(0, at + start.delimiter.length)
  }
  let after: { keyMarker?: string; uploadIdMarker?: string } = {}
  if (start.keyMarker !== undefined) after.keyMarker = start.keyMarker
  if (start.uploadIdMarker !== undefined) after.uploadIdMarker = start.uploadIdMarker
  for (;;) {
    const taken = () => page.uploads.length + page.prefixes.length
    const rows = await store.list(bucket, { prefix: start.prefix, ...after, limit: max - taken() + 1 })
    let refold = false
    for (const row of rows) {
      if (taken() === max) return { ...page, truncated: true }
      const common = folded(row.key)
      if (common !== undefined) {
        page.prefixes.push(common)
        after = { keyMarker: common + AFTER_ALL }
        refold = true
        break
      }
      page.uploads.push(row)
      after = { keyMarker: row.key, uploadIdMarker: row.uploadId }
    }
    if (!refold) return page
  }
}

function startOf(call: S3Call): UploadsStart {
  const query = call.target.query
  const prefix = query.get('prefix') ?? ''
  const delimiter = query.get('delimiter') || undefined
  let keyMarker = query.get('key-marker') || undefined
  // A marker that is a common prefix (the last entry of a folded page) skips everything under it.
  if (keyMarker !== undefined && delimiter !== undefined && keyMarker.endsWith(delimiter))
    keyMarker += AFTER_ALL
  const uploadIdMarker = keyMarker === undefined ? undefined : query.get('upload-id-marker') || undefined
  return { prefix, delimiter, keyMarker, uploadIdMarker }
}

/**
 * ListMultipartUploads (`GET /<bucket>?uploads`): the uploads in progress under a prefix the
 * credential may list, from the index, by key then upload id, with `key-marker`/`upload-id-marker`
 * pages, `delimiter` folding and `encoding-type=url`.
 */
export async function listMultipartUploads(call: S3Call, bucket: string): Promise<void> {
  const principal = signedBy(call)
  const query = call.target.query
  const encoding = query.get('encoding-type')
  if (encoding !== undefined && encoding !== 'url')
    throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request')
  const max = query.get('max-uploads') ?? '1000'
  if (!/^\d{1,10}$/.test(max)) throw new S3Error('InvalidArgument', 'max-uploads must be a whole number')
  const maxUploads = Math.min(Number(max), 1000)
  const start = startOf(call)
  await authorizeAs(call.ctx, call.request, principal, bucket, [start.prefix, 'list'])
  const page = await pageOf(call.ctx.multipartUploads, bucket, start, maxUploads)
  const lastUpload = page.uploads.at(-1)
  const lastPrefix = page.prefixes.at(-1)
  const next =
    lastPrefix !== undefined && (lastUpload === undefined || lastPrefix > lastUpload.key)
      ? { key: lastPrefix, uploadId: '' }
      : lastUpload === undefined
        ? undefined
        : { key: lastUpload.key, uploadId: lastUpload.uploadId }
  sendXml(
    call,
    listUploadsXml({
      bucket,
      prefix: start.prefix,
      ...(start.delimiter === undefined ? {} : { delimiter: start.delimiter }),
      keyMarker: query.get('key-marker') ?? '',
      uploadIdMarker: query.get('upload-id-marker') ?? '',
      maxUploads,
      uploads: page.uploads,
      commonPrefixes: page.prefixes,
      ...(page.truncated && next !== undefined ? { next } : {}),
      urlEncoded: encoding === 'url',
    }),
  )
}
