import { normalizeKey, StorageError } from '@coffer/core'
import type { BucketObjects } from '../buckets/bucket-objects.ts'
import { ArchiveBudget } from './archive-budget.ts'
import { type ArchiveEntry, meteredEntry, settleEntry } from './archive-entry.ts'
import { type ArchiveLimits, archiveLimits } from './archive-limits.ts'
import { type DeployOptions, deployEntries, siteFolder } from './deploy-site.ts'
import { entryPath } from './entry-path.ts'
import type { Deploy, SiteStore } from './site-store.ts'

/** The files a deploy is copied from: every object under `prefix` of a bucket the caller may read. */
export interface BucketSource {
  /** The source bucket's objects, authorised for `read` and `list` on `prefix`. */
  objects: BucketObjects
  /** A normalised prefix ("" or ending in "/"); the keys under it become the deploy's paths. */
  prefix: string
}

/** Objects listed per page while copying. */
const PAGE = 1000

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StorageError('Aborted', 'the deploy was aborted', { cause: signal.reason })
}

/**
 * The objects under `source.prefix`, one at a time, as deploy entries: the path is the key with the
 * prefix cut off, checked as an archive's would be (the core's key rules for the whole target key,
 * no `..`), and each counts against the same limits as an archive (entries, bytes of one file, bytes
 * in all), checked on the bytes as they are read. Folder markers (`docs/`, zero bytes) are not
 * files; expired objects are not listed. Each object is read as it is copied, never whole.
 */
export async function* bucketEntries(
  source: BucketSource,
  keyPrefix: string,
  limits: ArchiveLimits,
  signal?: AbortSignal,
): AsyncGenerator<ArchiveEntry, void, undefined> {
  const budget = new ArchiveBudget(limits)
  let cursor: string | undefined
  do {
    const page = await source.objects.list({
      prefix: source.prefix,
      limit: PAGE,
      ...(cursor ? { cursor } : {}),
    })
    for (const object of page.objects) {
      if (object.key.endsWith('/')) continue
      checkAborted(signal)
      budget.admitEntry()
      const path = entryPath(object.key.slice(source.prefix.length), 'file', keyPrefix) as string
      budget.admitDeclaredSize(path, object.size)
      const read = await source.objects.get(normalizeKey(object.key), signal === undefined ? {} : { signal })
      if (read.notModified) throw new StorageError('Internal', `"${object.key}" could not be read`)
      const size = read.info.size
      const stream = meteredEntry(read.body, {
        path,
        size,
        budget,
        damaged: (cause) =>
          new StorageError('Unavailable', `"${object.key}" changed or failed while it was copied`, { cause }),
      })
      yield { path, size, stream }
      await settleEntry(stream)
    }
    cursor = page.cursor
  } while (cursor !== undefined)
}

/**
 * Deploys the files under a prefix of a bucket as a new immutable deploy of `site`, copied on the
 * server through the bucket layer (the target's policy, quota, index and audit, as an archive's
 * entries are). A source that holds the site's own deploys (the `prototypes` bucket at `sites/`
 * or above) is refused: the copy would list the files it writes.
 */
export function deployFromBucket(
  sites: SiteStore,
  objects: BucketObjects,
  site: string,
  source: BucketSource,
  options: Pick<DeployOptions, 'activate' | 'signal' | 'limits'> = {},
): Promise<Deploy> {
  if (source.objects.bucket.name === objects.bucket.name && siteFolder(site).startsWith(source.prefix)) {
    throw new StorageError('InvalidArgument', `the prefix "${source.prefix}" holds the site's own deploys`)
  }
  const limits = archiveLimits(options.limits)
  return deployEntries(
    sites,
    objects,
    site,
    (keyPrefix) => bucketEntries(source, keyPrefix, limits, options.signal),
    options,
  )
}
