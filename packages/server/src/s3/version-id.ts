import type { S3Call } from './s3-call.ts'
import { S3Error } from './s3-error.ts'

/**
 * Refuses a `versionId` other than `null` on a read of an object: Coffer keeps no versions, and the
 * current object is version `null` (as ListObjectVersions names it), so `?versionId=null` reads it
 * and any other id names a version that does not exist (`NoSuchVersion`, as S3 answers).
 */
export function requireCurrentVersion(call: S3Call): void {
  if (!isCurrentVersion(call.target.query.get('versionId')))
    throw new S3Error('NoSuchVersion', 'The specified version does not exist.')
}

/** Whether a `versionId` (absent, or the text sent) names the current object: none, or `null`. */
export function isCurrentVersion(versionId: string | undefined): boolean {
  return versionId === undefined || versionId === 'null'
}

/** S3's answer to a delete of a version id it cannot have made. */
export const INVALID_VERSION_ID = 'Invalid version id specified'

/**
 * Refuses a delete of a version other than `null`: that version is not there, and the current
 * object is not it. Deleting the current object instead, as a delete that ignored the id would,
 * loses data a client meant to keep (a tool pruning old versions).
 */
export function refuseOtherVersion(call: S3Call): void {
  if (!isCurrentVersion(call.target.query.get('versionId')))
    throw new S3Error('InvalidArgument', INVALID_VERSION_ID)
}
