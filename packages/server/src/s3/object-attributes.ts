import type { NormalizedKey, ObjectInfo } from '@coffer/core'
import { authorizeAs } from '../domain/auth/authorize.ts'
import { single } from '../http/receive-object.ts'
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

/**
 * `GetObjectAttributesResponse`. The ETag is unquoted here, as S3 sends it in this document. The
 * checksum is the SHA-256 that Coffer computes of every upload as it streams (base64, a full-object
 * checksum); an object written behind Coffer's back has none. An object uploaded in one request has
 * no parts: `ObjectParts` is empty.
 */
export function objectAttributesXml(info: ObjectInfo, attributes: ReadonlySet<Attribute>): string {
  const sha256 = info.checksum.sha256
  const element: Record<string, XmlElement[string]> = {}
  if (attributes.has('ETag')) element.ETag = info.etag.replaceAll('"', '')
  if (attributes.has('Checksum') && sha256 !== undefined)
    element.Checksum = {
      ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
      ChecksumType: 'FULL_OBJECT',
    }
  if (attributes.has('ObjectParts')) element.ObjectParts = {}
  if (attributes.has('StorageClass')) element.StorageClass = 'STANDARD'
  if (attributes.has('ObjectSize')) element.ObjectSize = info.size
  return buildS3Xml('GetObjectAttributesResponse', element)
}

/** GetObjectAttributes (`GET /<bucket>/<key>?attributes`), for a caller allowed to read the key. */
export async function getObjectAttributes(call: S3Call, bucket: string, key: NormalizedKey): Promise<void> {
  requireCurrentVersion(call)
  const attributes = asked(call)
  const objects = await authorizeAs(call.ctx, call.request, call.principal, bucket, [key, 'read'])
  const info = await objects.stat(key)
  call.reply.header('last-modified', info.lastModified.toUTCString())
  call.reply.code(200).type('application/xml').send(objectAttributesXml(info, attributes))
}
