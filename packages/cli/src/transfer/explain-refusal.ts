import { basename } from 'node:path'
import { CofferError, isCofferError } from '@coffer/client'
import type { CofferUrl } from '../coffer-url.ts'
import { formatBytes } from '../units.ts'
import type { LocalFile } from './local-tree.ts'
import type { TransferContext } from './transfer-context.ts'

/** The refusals a bucket's policy makes, which a person fixes by changing the file or the bucket. */
const POLICY_CODES = new Set(['TooLarge', 'UnsupportedMediaType', 'QuotaExceeded'])

/**
 * Rewords a bucket's refusal of an upload in a person's terms, as the web UI does: the file's name,
 * sizes in the units `ls -H` shows, and the bucket's own limit ("big.csv is 30.0 MiB; bucket docs
 * accepts files up to 25.0 MiB") instead of raw byte counts. The limit comes from the bucket's
 * policy; when the credential may not read it (or it changed), the service's message stays. The
 * code, and so the exit status, are kept; any other error is returned as it is.
 */
export async function explainRefusal(
  ctx: TransferContext,
  file: LocalFile,
  target: CofferUrl,
  error: unknown,
): Promise<unknown> {
  if (!(error instanceof CofferError) || !POLICY_CODES.has(error.code)) return error
  const bucket = await ctx.client.buckets.get(target.bucket, { timeout: 10_000 }).catch(() => undefined)
  const name = basename(file.path)
  const size = formatBytes(file.size)
  let words: string | undefined
  if (isCofferError(error, 'TooLarge') && bucket?.maxFileSize !== undefined)
    words = `${name} is ${size}; bucket ${target.bucket} accepts files up to ${formatBytes(bucket.maxFileSize)}`
  else if (isCofferError(error, 'UnsupportedMediaType') && bucket?.allowedTypes?.length)
    words = `${name}: ${error.message}; bucket ${target.bucket} accepts ${bucket.allowedTypes.join(', ')}`
  else if (isCofferError(error, 'QuotaExceeded') && bucket !== undefined) {
    const { quotaBytes, usedBytes = 0, quotaObjects, usedObjects = 0 } = bucket
    // Which quota refused it: the file count when it is reached, else the bytes.
    if (quotaObjects !== undefined && usedObjects >= quotaObjects)
      words = `bucket ${target.bucket} is full: ${usedObjects} of ${quotaObjects} files; ${name} was not stored`
    else if (quotaBytes !== undefined && bucket.usedBytes !== undefined)
      words = `bucket ${target.bucket} is full: ${formatBytes(usedBytes)} of ${formatBytes(quotaBytes)} used; ${name} needs ${size}`
  }
  return words === undefined ? error : new CofferError(error.code, error.status, words, { cause: error })
}
