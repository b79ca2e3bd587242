import { authorizeAs } from '../domain/auth/authorize.ts'
import { listUploadsXml } from './multipart-xml.ts'
import { type S3Call, sendXml, signedBy } from './s3-call.ts'
import { S3Error } from './s3-error.ts'

/**
 * ListMultipartUploads (`GET /<bucket>?uploads`): the uploads in progress under a prefix the
 * credential may list, from the index, by key then upload id, with `key-marker`/`upload-id-marker`
 * pages. `delimiter` is not served (NotImplemented), so no client takes a flat answer for a folded one.
 */
export async function listMultipartUploads(call: S3Call, bucket: string): Promise<void> {
  const principal = signedBy(call)
  const query = call.target.query
  if ((query.get('delimiter') ?? '') !== '') {
    throw new S3Error('NotImplemented', 'ListMultipartUploads with a delimiter is not implemented')
  }
  const encoding = query.get('encoding-type')
  if (encoding !== undefined && encoding !== 'url')
    throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request')
  const prefix = query.get('prefix') ?? ''
  const max = query.get('max-uploads') ?? '1000'
  if (!/^\d{1,10}$/.test(max)) throw new S3Error('InvalidArgument', 'max-uploads must be a whole number')
  const maxUploads = Math.min(Number(max), 1000)
  await authorizeAs(call.ctx, call.request, principal, bucket, [prefix, 'list'])
  const keyMarker = query.get('key-marker') ?? ''
  const uploadIdMarker = query.get('upload-id-marker') ?? ''
  const rows =
    maxUploads === 0
      ? []
      : await call.ctx.multipartUploads.list(bucket, {
          prefix,
          ...(keyMarker === '' ? {} : { keyMarker }),
          ...(keyMarker === '' || uploadIdMarker === '' ? {} : { uploadIdMarker }),
          limit: maxUploads + 1,
        })
  const uploads = rows.slice(0, maxUploads)
  sendXml(
    call,
    listUploadsXml({
      bucket,
      prefix,
      keyMarker,
      uploadIdMarker,
      maxUploads,
      uploads,
      isTruncated: rows.length > maxUploads,
      urlEncoded: encoding === 'url',
    }),
  )
}
