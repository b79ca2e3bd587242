import { compareKeys, type ListOptions } from '@coffer/core'
import { authorizeAs } from '../domain/auth/authorize.ts'
import { OWNER, type S3Call, sendXml } from './s3-call.ts'
import { S3Error } from './s3-error.ts'
import { listObjectsV1Xml, listObjectsV2Xml, type S3ListPage } from './s3-results.ts'

function maxKeysOf(value: string | undefined): number {
  if (value === undefined) return 1000
  if (!/^\d{1,10}$/.test(value)) throw new S3Error('InvalidArgument', 'max-keys must be a whole number')
  return Math.min(Number(value), 1000)
}

/**
 * A listing position "after this key", in the form of the cursors Coffer's listings return
 * (`@coffer/core`'s listing: base64url of `[storage key, folded]`), for S3's `start-after` and
 * `marker`, which name a key rather than carry a token. A marker that is a common prefix (it ends
 * with the delimiter) skips everything under it, as S3 does.
 */
function cursorAfter(bucket: string, key: string, delimiter: string | undefined): string {
  const folded = delimiter !== undefined && key.endsWith(delimiter) ? 1 : 0
  return Buffer.from(JSON.stringify([`${bucket}/${key}`, folded])).toString('base64url')
}

/** ListObjectsV2 (`list-type=2`) and ListObjects (v1), through the bucket layer's listing. */
export async function listObjects(call: S3Call, bucket: string): Promise<void> {
  const query = call.target.query
  const v2 = query.get('list-type') === '2'
  const prefix = query.get('prefix') ?? ''
  const delimiter = query.get('delimiter') || undefined
  const encoding = query.get('encoding-type')
  if (encoding !== undefined && encoding !== 'url')
    throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request')
  const maxKeys = maxKeysOf(query.get('max-keys'))
  const objects = await authorizeAs(call.ctx, call.request, call.principal, bucket, [prefix, 'list'])
  const token = v2 ? query.get('continuation-token') : undefined
  const after = v2 ? query.get('start-after') : query.get('marker')
  const options: ListOptions = { prefix, limit: Math.max(maxKeys, 1) }
  if (delimiter !== undefined) options.delimiter = delimiter
  if (token !== undefined && token !== '') options.cursor = token
  else if (after !== undefined && after !== '') options.cursor = cursorAfter(bucket, after, delimiter)
  const result = maxKeys === 0 ? { objects: [], prefixes: [] } : await objects.list(options)
  const page: S3ListPage = {
    bucket,
    prefix,
    ...(delimiter === undefined ? {} : { delimiter }),
    maxKeys,
    objects: result.objects.map((o) => ({
      key: o.key,
      lastModified: o.lastModified,
      etag: o.etag.replaceAll('"', ''),
      size: o.size,
    })),
    commonPrefixes: result.prefixes,
    isTruncated: 'cursor' in result && result.cursor !== undefined,
    urlEncoded: encoding === 'url',
    ...(!v2 || query.get('fetch-owner') === 'true' ? { owner: OWNER } : {}),
  }
  const next = 'cursor' in result ? result.cursor : undefined
  if (v2) {
    sendXml(
      call,
      listObjectsV2Xml(page, {
        ...(token === undefined ? {} : { continuationToken: token }),
        ...(next === undefined ? {} : { nextContinuationToken: next }),
        ...(after === undefined ? {} : { startAfter: after }),
      }),
    )
    return
  }
  const last = [...page.objects.map((o) => o.key), ...page.commonPrefixes].sort(compareKeys).at(-1)
  sendXml(
    call,
    listObjectsV1Xml(page, {
      marker: after ?? '',
      ...(next !== undefined && last !== undefined ? { nextMarker: last } : {}),
    }),
  )
}
