import { listingQuery, readListing } from './list-objects.ts'
import { OWNER, type S3Call, sendXml } from './s3-call.ts'
import { S3Error } from './s3-error.ts'
import { encoder, owner, type S3ListPage } from './s3-results.ts'
import { buildS3Xml } from './s3-xml.ts'

/** The version id of every object in a store that keeps no versions, as S3 names it. */
export const NULL_VERSION = 'null'

/** `ListVersionsResult`: every object is its one current version, `null`; there are no delete markers. */
export function listVersionsXml(
  page: S3ListPage,
  markers: { keyMarker: string; nextKeyMarker?: string },
): string {
  const encode = encoder(page.urlEncoded)
  const truncated = page.isTruncated && markers.nextKeyMarker !== undefined
  return buildS3Xml('ListVersionsResult', {
    Name: page.bucket,
    Prefix: encode(page.prefix),
    KeyMarker: encode(markers.keyMarker),
    VersionIdMarker: '',
    NextKeyMarker: truncated ? encode(markers.nextKeyMarker) : undefined,
    NextVersionIdMarker: truncated ? NULL_VERSION : undefined,
    MaxKeys: page.maxKeys,
    Delimiter: encode(page.delimiter),
    EncodingType: page.urlEncoded ? 'url' : undefined,
    IsTruncated: page.isTruncated,
    Version: page.objects.map((object) => ({
      Key: encode(object.key),
      VersionId: NULL_VERSION,
      IsLatest: true,
      LastModified: object.lastModified.toISOString(),
      ETag: `"${object.etag}"`,
      Size: object.size,
      Owner: owner(OWNER),
      StorageClass: 'STANDARD',
    })),
    CommonPrefixes: page.commonPrefixes.map((prefix) => ({ Prefix: encode(prefix) })),
  })
}

/**
 * ListObjectVersions (`GET /<bucket>?versions`) of a store that keeps no versions: the listing of
 * the current objects, each as version `null` and the latest, paged by `key-marker` (the
 * `version-id-marker` can only be `null` or empty, since no key has another version).
 */
export async function listObjectVersions(call: S3Call, bucket: string): Promise<void> {
  const query = call.target.query
  const keyMarker = query.get('key-marker') ?? ''
  const versionMarker = query.get('version-id-marker')
  if (versionMarker !== undefined && versionMarker !== '' && versionMarker !== NULL_VERSION)
    throw new S3Error('InvalidArgument', 'Invalid version id specified')
  if (versionMarker !== undefined && versionMarker !== '' && keyMarker === '')
    throw new S3Error('InvalidArgument', 'A version-id marker cannot be specified without a key marker.')
  const { page, next, last } = await readListing(call, bucket, listingQuery(call, keyMarker))
  sendXml(
    call,
    listVersionsXml(page, {
      keyMarker,
      ...(next !== undefined && last !== undefined ? { nextKeyMarker: last } : {}),
    }),
  )
}
