import type { S3Call } from './s3-call.ts'
import { S3Error } from './s3-error.ts'

/**
 * The canned ACLs that grant what Coffer grants anyway: the owner (the service), and nobody else
 * but the keys the scopes name. Any other ACL asks for access Coffer does not give by ACLs.
 */
const OWNER_ONLY = new Set(['private', 'bucket-owner-full-control'])

/** The `x-amz-grant-*` headers, which grant access by ACL to the accounts they name. */
const GRANTS = ['read', 'write', 'read-acp', 'write-acp', 'full-control'].map((name) => `x-amz-grant-${name}`)

/**
 * Refuses a write that asks for access by ACL (`x-amz-acl` other than `private` or
 * `bucket-owner-full-control`, or an `x-amz-grant-*` header; for POST uploads the form's `acl`)
 * rather than storing what it was asked to make public as private. Coffer has no ACLs: access is the
 * keys' scopes and the bucket's policy. S3 answers the same for a bucket with ACLs disabled, its
 * default (Object Ownership "bucket owner enforced"): `AccessControlListNotSupported` for an object,
 * `InvalidBucketAclWithObjectOwnership` for a new bucket.
 */
export function refuseAcl(call: S3Call, on: 'bucket' | 'object', formAcl?: string): void {
  const headers = call.request.headers
  const acl = formAcl ?? headers['x-amz-acl']
  const asked = (acl !== undefined && !OWNER_ONLY.has(String(acl))) || GRANTS.some((name) => name in headers)
  if (!asked) return
  if (on === 'bucket') {
    throw new S3Error(
      'InvalidBucketAclWithObjectOwnership',
      "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
    )
  }
  throw new S3Error('AccessControlListNotSupported', 'The bucket does not allow ACLs')
}
