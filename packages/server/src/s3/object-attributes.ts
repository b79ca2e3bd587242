import type { NormalizedKey, ObjectInfo } from '@coffer/core'
import { authorizeAs } from '../domain/auth/authorize.ts'
import { type ObjectIntegrity, objectIntegrity } from '../domain/buckets/object-integrity.ts'
import { single } from '../http/receive-object.ts'
import { checksumElements } from './multipart-xml.ts'
import type { S3Call } from './s3-call.ts'
import { S3Error } from './s3-error.ts'
import { buildS3Xml, type XmlElement } from './s3-xml.ts'
import { requireCurrentVersion } from './version-id.ts'

/** The attributes GetObjectAttributes may be asked for (`x-amz-object-attributes`). */
const ATTRIBUTES = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'] as const
type Attribute = (typeof ATTRIBUTES)[number]

function asked(call: S3Call): Set<Attribute> {
  const header = single(call.request, 'x-amz-object-attributes')
  const names = (header ?? '').split(',').map((name) => name.trim())
  const known = new Set<string>(ATTRIBUTES)
  if (header === undefined || names.some((name) => !known.has(name)))
    throw new S3Error('InvalidArgument', 'Invalid attribute name specified.')
  return new Set(names as Attribute[])
}

/** The page of parts `ObjectParts` lists (`x-amz-max-parts`, `x-amz-part-number-marker`). */
function partsPage(call: S3Call): { marker: number; max: number } {
  const number = (name: string, fallback: number) => {
    const text = single(call.request, name)
    if (text === undefined) return fallback
    if (!/^\d{1,5}$/.test(text.trim())) throw new S3Error('InvalidArgument', `${name} must be a whole number`)
    return Number(text.trim())
  }
  return {
    marker: number('x-amz-part-number-marker', 0),
    max: Math.min(number('x-amz-max-parts', 1000), 1000),
  }
}

/** `ObjectParts` of an object uploaded in parts: their count, and a page of them with their checksums. */
function objectPartsElement(
  integrity: ObjectIntegrity | undefined,
  page: { marker: number; max: number },
): XmlElement[string] {
  const parts = integrity?.parts
  if (parts === undefined) return {}
  const algorithm = integrity?.checksum?.algorithm
  const listed = parts
    .map((part, index) => ({ ...part, number: index + 1 }))
    .filter((part) => part.number > page.marker)
  const shown = listed.slice(0, page.max)
  return {
    // The SDK's `TotalPartsCount` is `PartsCount` in the document.
    PartsCount: parts.length,
    PartNumberMarker: page.marker,
    NextPartNumberMarker: shown.at(-1)?.number ?? page.marker,
    MaxParts: page.max,
    IsTruncated: listed.length > shown.length,
    Part: shown.map((part) => ({
      PartNumber: part.number,
      Size: part.size,
      ...(part.checksum === undefined || algorithm === undefined
        ? {}
        : { [`Checksum${algorithm.toUpperCase()}`]: part.checksum }),
    })),
  }
}

/**
 * `GetObjectAttributesResponse`. The ETag is unquoted here, as S3 sends it in this document. The
 * checksum is the one the object was written with (a PUT's declared checksum, a multipart upload's
 * composite or full-object one), else the SHA-256 that Coffer computes of every upload as it
 * streams (base64, a full-object checksum); an object written behind Coffer's back has none. An
 * object uploaded in one request has no parts: `ObjectParts` is empty.
 */
export function objectAttributesXml(
  info: ObjectInfo,
  attributes: ReadonlySet<Attribute>,
  integrity?: ObjectIntegrity,
  page: { marker: number; max: number } = { marker: 0, max: 1000 },
): string {
  const sha256 = info.checksum.sha256
  const element: Record<string, XmlElement[string]> = {}
  if (attributes.has('ETag')) element.ETag = info.etag.replaceAll('"', '')
  if (attributes.has('Checksum') && integrity?.checksum !== undefined)
    element.Checksum = checksumElements(integrity.checksum)
  else if (attributes.has('Checksum') && sha256 !== undefined)
    element.Checksum = {
      ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
      ChecksumType: 'FULL_OBJECT',
    }
  if (attributes.has('ObjectParts')) element.ObjectParts = objectPartsElement(integrity, page)
  if (attributes.has('StorageClass')) element.StorageClass = 'STANDARD'
  if (attributes.has('ObjectSize')) element.ObjectSize = info.size
  return buildS3Xml('GetObjectAttributesResponse', element)
}

/** GetObjectAttributes (`GET /<bucket>/<key>?attributes`), for a caller allowed to read the key. */
export async function getObjectAttributes(call: S3Call, bucket: string, key: NormalizedKey): Promise<void> {
  requireCurrentVersion(call)
  const attributes = asked(call)
  const page = partsPage(call)
  const objects = await authorizeAs(call.ctx, call.request, call.principal, bucket, [key, 'read'])
  const info = await objects.stat(key)
  const integrity = await objectIntegrity(call.ctx.catalog, objects, key, info.etag)
  call.reply.header('last-modified', info.lastModified.toUTCString())
  call.reply
    .code(200)
    .type('application/xml')
    .send(objectAttributesXml(info, attributes, integrity, page))
}
