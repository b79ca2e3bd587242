import { single } from '../http/receive-object.ts'
import type { S3Call } from './s3-call.ts'
import { S3Error } from './s3-error.ts'

/** Headers (or POST form fields) that ask the store to encrypt, with its keys, KMS's, or the client's. */
const ENCRYPTION = [
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-server-side-encryption-customer-algorithm',
  'x-amz-copy-source-server-side-encryption-customer-algorithm',
]

/** Headers (or POST form fields) that put an object under Object Lock. */
const OBJECT_LOCK = [
  'x-amz-object-lock-mode',
  'x-amz-object-lock-retain-until-date',
  'x-amz-object-lock-legal-hold',
]

/**
 * Refuses a request to an object that asks for what Coffer does not do and a client relies on
 * when it asks: server-side encryption (S3-managed, KMS or customer keys) and Object Lock. Stored
 * without them, such an object would be plain and deletable while the client believes otherwise.
 * A read that names a customer key is `InvalidRequest`, as S3 answers it for an object not stored
 * with one; the rest `NotImplemented` (encryption, as MinIO answers without a KMS) or, for Object
 * Lock, S3's answer for a bucket without it. `field` reads a POST form's fields instead of headers.
 */
export function refuseUnservedObjectHeaders(
  call: S3Call,
  field: (name: string) => string | undefined = (name) => single(call.request, name),
): void {
  const encryption = ENCRYPTION.find((name) => field(name) !== undefined)
  if (encryption !== undefined) {
    if (call.request.method === 'GET' || call.request.method === 'HEAD')
      throw new S3Error('InvalidRequest', 'The encryption parameters are not applicable to this object.')
    throw new S3Error('NotImplemented', `${encryption}: this endpoint does not encrypt objects on request`)
  }
  if (OBJECT_LOCK.some((name) => field(name) !== undefined))
    throw new S3Error('InvalidRequest', 'Bucket is missing Object Lock Configuration')
}

/** The conditions on the stored object that S3 lets a write or a delete carry. */
const CONDITIONS = ['if-match', 'if-none-match', 'x-amz-if-match-last-modified-time', 'x-amz-if-match-size']

/**
 * Refuses a write or delete conditional on the stored object, but for `If-None-Match: *` on a
 * write the storage layer makes create-only (`'create-only'`: PutObject, CopyObject), the one
 * condition it makes atomic. The others would be ignored, overwriting or deleting what the client
 * meant to keep: `NotImplemented`, which is also what S3 answers to an etag in `If-None-Match`.
 */
export function refuseUnservedConditions(call: S3Call, allowed: 'create-only' | 'none'): void {
  for (const name of CONDITIONS) {
    const value = single(call.request, name)?.trim()
    if (value === undefined || (allowed === 'create-only' && name === 'if-none-match' && value === '*'))
      continue
    throw new S3Error(
      'NotImplemented',
      `A header you provided implies functionality that is not implemented: ${name} (only If-None-Match: * on PutObject and CopyObject)`,
    )
  }
}

/**
 * The create-only option of a write that passed `refuseUnservedConditions(call, 'create-only')`:
 * `If-None-Match: *` is the one condition left it can carry.
 */
export function createOnlyOf(call: S3Call): { ifNoneMatch?: '*' } {
  return single(call.request, 'if-none-match') === undefined ? {} : { ifNoneMatch: '*' }
}

/** Refuses a CreateBucket that asks for Object Lock, which Coffer's buckets do not have. */
export function refuseUnservedBucketHeaders(call: S3Call): void {
  if (single(call.request, 'x-amz-bucket-object-lock-enabled')?.toLowerCase() === 'true')
    throw new S3Error('NotImplemented', 'x-amz-bucket-object-lock-enabled: Object Lock is not implemented')
}
