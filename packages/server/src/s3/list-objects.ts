import { compareKeys, isStorageError, type ListOptions, normalizePrefix } from '@coffer/core'
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

/** What a listing request asks for, in the terms of S3's list operations. */
export interface ListingQuery {
  readonly prefix: string
  readonly delimiter: string | undefined
  readonly maxKeys: number
  /** `encoding-type=url`. */
  readonly urlEncoded: boolean
  /** A continuation token the endpoint handed out (v2). */
  readonly token?: string | undefined
  /** A key to list after (`start-after`, `marker`, `key-marker`). */
  readonly after?: string | undefined
}

/** One page of a listing and where the next begins. */
export interface Listing {
  readonly page: S3ListPage
  /** The cursor of the next page, when the listing was cut short. */
  readonly next: string | undefined
  /** The last key or common prefix of the page, in listing order (v1's `NextMarker`). */
  readonly last: string | undefined
}

/** Reads the common query of S3's list operations: prefix, delimiter, max-keys, encoding-type. */
export function listingQuery(call: S3Call, after: string | undefined, token?: string): ListingQuery {
  const query = call.target.query
  const encoding = query.get('encoding-type')
  if (encoding !== undefined && encoding !== 'url')
    throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request')
  return {
    prefix: query.get('prefix') ?? '',
    delimiter: query.get('delimiter') || undefined,
    maxKeys: maxKeysOf(query.get('max-keys')),
    urlEncoded: encoding === 'url',
    token,
    after,
  }
}

/**
 * Whether some key Coffer can hold starts with `prefix`. One no key can (a control character, an
 * empty path segment) lists nothing on S3, which has no such keys either, rather than failing.
 */
function prefixesSomeKey(prefix: string): boolean {
  try {
    normalizePrefix(prefix)
    return true
  } catch (error) {
    if (isStorageError(error, 'InvalidKey')) return false
    throw error
  }
}

/** A page of a bucket's listing through the bucket layer, for a caller allowed to list the prefix. */
export async function readListing(call: S3Call, bucket: string, q: ListingQuery): Promise<Listing> {
  // The scope is checked on the prefix that is listed, in NFC (`jo` + U+0301 passes a `jo*` scope
  // as sent, but lists `jó`, outside it).
  // A prefix no key can have lists nothing, and is checked as sent.
  const listable = prefixesSomeKey(q.prefix)
  const prefix = listable ? normalizePrefix(q.prefix) : q.prefix
  const objects = await authorizeAs(call.ctx, call.request, call.principal, bucket, [prefix, 'list'])
  const options: ListOptions = { prefix, limit: Math.max(q.maxKeys, 1) }
  if (q.delimiter !== undefined) options.delimiter = q.delimiter
  if (q.token !== undefined && q.token !== '') options.cursor = q.token
  else if (q.after !== undefined && q.after !== '') options.cursor = cursorAfter(bucket, q.after, q.delimiter)
  const result = q.maxKeys === 0 || !listable ? { objects: [], prefixes: [] } : await objects.list(options)
  const page: S3ListPage = {
    bucket,
    prefix: q.prefix,
    ...(q.delimiter === undefined ? {} : { delimiter: q.delimiter }),
    maxKeys: q.maxKeys,
    objects: result.objects.map((o) => ({
      key: o.key,
      lastModified: o.lastModified,
      etag: o.etag.replaceAll('"', ''),
      size: o.size,
    })),
    commonPrefixes: result.prefixes,
    isTruncated: 'cursor' in result && result.cursor !== undefined,
    urlEncoded: q.urlEncoded,
  }
  const next = 'cursor' in result ? result.cursor : undefined
  const last = [...page.objects.map((o) => o.key), ...page.commonPrefixes].sort(compareKeys).at(-1)
  return { page, next, last }
}

/** ListObjectsV2 (`list-type=2`) and ListObjects (v1), through the bucket layer's listing. */
export async function listObjects(call: S3Call, bucket: string): Promise<void> {
  const query = call.target.query
  const v2 = query.get('list-type') === '2'
  const token = v2 ? query.get('continuation-token') : undefined
  const after = v2 ? query.get('start-after') : query.get('marker')
  const listing = await readListing(call, bucket, listingQuery(call, after, token))
  const owned = !v2 || query.get('fetch-owner') === 'true'
  const page: S3ListPage = owned ? { ...listing.page, owner: OWNER } : listing.page
  const { next, last } = listing
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
  sendXml(
    call,
    listObjectsV1Xml(page, {
      marker: after ?? '',
      ...(next !== undefined && last !== undefined ? { nextMarker: last } : {}),
    }),
  )
}
