import { normalizeKey, StorageError, type StorageErrorCode } from '@coffer/core'
import { authorizeAs } from '../domain/auth/authorize.ts'
import { allows } from '../domain/auth/scopes.ts'
import { readSmallBody } from './read-small-body.ts'
import { type S3Call, sendXml, signedBy } from './s3-call.ts'
import { s3ErrorOf } from './s3-error-of.ts'
import { parseDeleteObjects } from './s3-requests.ts'
import { deleteResultXml, type S3DeleteFailure } from './s3-results.ts'
import { INVALID_VERSION_ID } from './version-id.ts'

/**
 * DeleteObjects: up to 1000 keys in one request, each checked against the credential's scopes;
 * a key it may not delete is reported as `AccessDenied` in the answer, the others are deleted
 * through the bucket layer (index and audit included). Quiet mode reports failures only.
 */
export async function deleteObjects(call: S3Call, bucket: string): Promise<void> {
  const principal = signedBy(call)
  const objects = await authorizeAs(call.ctx, call.request, principal, bucket)
  const request = parseDeleteObjects(await readSmallBody(call))
  const failed: S3DeleteFailure[] = (request.otherVersions ?? []).map((key) => ({
    key,
    code: 'InvalidArgument',
    message: INVALID_VERSION_ID,
  }))
  const valid: string[] = []
  for (const key of request.keys) {
    // The scope is checked on the key that would be deleted: in NFC, as the bucket layer takes it
    // (`jo` + U+0301 passes a `jo*` scope as sent, but names `jó`, outside it).
    let normalized: string
    try {
      normalized = normalizeKey(key)
    } catch (error) {
      const s3 = s3ErrorOf(error, 'object')
      failed.push({ key, code: s3.code, message: s3.message })
      continue
    }
    if (allows(principal.scopes, bucket, normalized, 'delete')) valid.push(normalized)
    else failed.push({ key, code: 'AccessDenied', message: 'Access Denied' })
  }
  const result = valid.length === 0 ? { deleted: [], errors: [] } : await objects.deleteMany(valid)
  for (const error of result.errors) {
    // A key that was not there is deleted, as far as S3's clients are concerned.
    if (error.code === 'NotFound') result.deleted.push(error.key)
    else {
      const s3 = s3ErrorOf(new StorageError(error.code as StorageErrorCode, error.message), 'object')
      failed.push({ key: error.key, code: s3.code, message: s3.message })
    }
  }
  sendXml(call, deleteResultXml(result.deleted, failed, request.quiet))
}
