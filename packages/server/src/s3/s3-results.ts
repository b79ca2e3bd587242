import { uriEncode } from './request-target.ts'
import { buildS3Xml, type XmlElement } from './s3-xml.ts'

/** The owner every listing names: the endpoint has one tenant per service. */
export interface S3Owner {
  readonly id: string
  readonly displayName: string
}

/** A bucket of ListBuckets. */
export interface S3BucketEntry {
  readonly name: string
  readonly created: Date
}

/** An object of a listing. */
export interface S3ObjectEntry {
  readonly key: string
  readonly lastModified: Date
  /** The ETag without quotes; the document adds them, as S3 does. */
  readonly etag: string
  readonly size: number
}

/** A listing page, as the bucket layer produced it. */
export interface S3ListPage {
  readonly bucket: string
  readonly prefix: string
  readonly delimiter?: string
  readonly maxKeys: number
  readonly objects: readonly S3ObjectEntry[]
  readonly commonPrefixes: readonly string[]
  readonly isTruncated: boolean
  /** `encoding-type=url`: keys and prefixes percent-encoded, so any byte survives XML. */
  readonly urlEncoded: boolean
  /** The owner, when `fetch-owner` (v2) or always (v1). */
  readonly owner?: S3Owner
}

const quoted = (etag: string) => `"${etag}"`
const iso = (date: Date) => date.toISOString()

/** Encodes a key or prefix for `encoding-type=url`, keeping `/` readable as S3 does. */
export function encoder(urlEncoded: boolean): (text: string | undefined) => string | undefined {
  return (text) => (text === undefined || !urlEncoded ? text : text.split('/').map(uriEncode).join('/'))
}

/** An `<Owner>` element, or nothing. */
export function owner(value: S3Owner | undefined): XmlElement | undefined {
  return value === undefined ? undefined : { ID: value.id, DisplayName: value.displayName }
}

function entries(page: S3ListPage): XmlElement {
  const encode = encoder(page.urlEncoded)
  return {
    Contents: page.objects.map((object) => ({
      Key: encode(object.key),
      LastModified: iso(object.lastModified),
      ETag: quoted(object.etag),
      Size: object.size,
      Owner: owner(page.owner),
      StorageClass: 'STANDARD',
    })),
    CommonPrefixes: page.commonPrefixes.map((prefix) => ({ Prefix: encode(prefix) })),
  }
}

/** `ListAllMyBucketsResult` (ListBuckets). */
export function listBucketsXml(buckets: readonly S3BucketEntry[], by: S3Owner): string {
  return buildS3Xml('ListAllMyBucketsResult', {
    Owner: owner(by),
    Buckets: { Bucket: buckets.map((bucket) => ({ Name: bucket.name, CreationDate: iso(bucket.created) })) },
  })
}

/** `ListBucketResult` of ListObjectsV2. */
export function listObjectsV2Xml(
  page: S3ListPage,
  v2: { continuationToken?: string; nextContinuationToken?: string; startAfter?: string },
): string {
  const encode = encoder(page.urlEncoded)
  return buildS3Xml('ListBucketResult', {
    Name: page.bucket,
    Prefix: encode(page.prefix),
    Delimiter: encode(page.delimiter),
    MaxKeys: page.maxKeys,
    EncodingType: page.urlEncoded ? 'url' : undefined,
    KeyCount: page.objects.length + page.commonPrefixes.length,
    IsTruncated: page.isTruncated,
    ContinuationToken: v2.continuationToken,
    NextContinuationToken: v2.nextContinuationToken,
    StartAfter: encode(v2.startAfter),
    ...entries(page),
  })
}

/** `ListBucketResult` of ListObjects (v1); `NextMarker` only with a delimiter, as on S3. */
export function listObjectsV1Xml(page: S3ListPage, v1: { marker: string; nextMarker?: string }): string {
  const encode = encoder(page.urlEncoded)
  return buildS3Xml('ListBucketResult', {
    Name: page.bucket,
    Prefix: encode(page.prefix),
    Marker: encode(v1.marker),
    NextMarker: page.delimiter === undefined ? undefined : encode(v1.nextMarker),
    MaxKeys: page.maxKeys,
    Delimiter: encode(page.delimiter),
    IsTruncated: page.isTruncated,
    EncodingType: page.urlEncoded ? 'url' : undefined,
    ...entries(page),
  })
}

/** One key's failure in a DeleteObjects answer. */
export interface S3DeleteFailure {
  readonly key: string
  readonly code: string
  readonly message: string
}

/** `DeleteResult` (DeleteObjects); quiet mode lists only failures. */
export function deleteResultXml(
  deleted: readonly string[],
  failed: readonly S3DeleteFailure[],
  quiet: boolean,
): string {
  return buildS3Xml('DeleteResult', {
    Deleted: quiet ? [] : deleted.map((key) => ({ Key: key })),
    Error: failed.map((failure) => ({ Key: failure.key, Code: failure.code, Message: failure.message })),
  })
}

/** `CopyObjectResult` (CopyObject). */
export function copyObjectResultXml(etag: string, lastModified: Date): string {
  return buildS3Xml('CopyObjectResult', { ETag: quoted(etag), LastModified: iso(lastModified) })
}

/** `LocationConstraint` (GetBucketLocation): empty for us-east-1, as S3 answers. */
export function locationXml(region: string): string {
  return buildS3Xml('LocationConstraint', region === 'us-east-1' ? {} : { '#text': region })
}
