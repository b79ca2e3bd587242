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

/** Refuses a CreateBucket that asks for Object Lock, which Coffer's buckets do not have. */
export function refuseUnservedBucketHeaders(call: S3Call): void {
  if (single(call.request, 'x-amz-bucket-object-lock-enabled')?.toLowerCase() === 'true')
    throw new S3Error('NotImplemented', 'x-amz-bucket-object-lock-enabled: Object Lock is not implemented')
}
