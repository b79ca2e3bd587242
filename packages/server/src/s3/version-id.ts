import type { S3Call } from './s3-call.ts'
import { S3Error } from './s3-error.ts'

/**
 * Refuses a `versionId` other than `null` on a read of an object: Coffer keeps no versions, and the
 * current object is version `null` (as ListObjectVersions names it), so `?versionId=null` reads it
 * and any other id names a version that does not exist (`NoSuchVersion`, as S3 answers).
 */
export function requireCurrentVersion(call: S3Call): void {
  const versionId = call.target.query.get('versionId')
  if (versionId !== undefined && versionId !== 'null')
    throw new S3Error('NoSuchVersion', 'The specified version does not exist.')
}
