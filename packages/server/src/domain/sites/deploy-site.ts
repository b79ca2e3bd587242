import { buffer } from 'node:stream/consumers'
import { isStorageError, normalizeKey, type ObjectInfo, StorageError } from '@coffer/core'
import { monotonicFactory } from 'ulid'
import type { BucketObjects } from '../buckets/bucket-objects.ts'
import type { ArchiveEntry } from './archive-entry.ts'
import type { ArchiveLimits } from './archive-limits.ts'
import { extractArchive } from './extract-archive.ts'
import { MAX_SITE_CONFIG_BYTES, parseSiteConfig, SITE_CONFIG_FILE, type SiteConfig } from './site-config.ts'
import { checkSiteName } from './site-name.ts'
import type { Deploy, SiteStore } from './site-store.ts'

const nextId = monotonicFactory()

/** Where a site's deploys are kept in the `prototypes` bucket. */
export function siteFolder(site: string): string {
  return `sites/${site}/`
}

/** Where a deploy's files are kept in the `prototypes` bucket. */
export function deployPrefix(site: string, id: string): string {
  return `${siteFolder(site)}${id}/`
}

/** How to deploy. */
export interface DeployOptions {
  /** Make the new deploy live at once. Default true. */
  activate?: boolean
  limits?: Partial<ArchiveLimits>
  /** Where a zip is spooled while it is read. */
  tempDir?: string
  signal?: AbortSignal
}

/**
 * Stores one archive entry. When the upload fails because the entry's own stream failed (a limit,
 * a damaged archive), that failure is the answer, not the storage's report of a broken body.
 */
async function storeEntry(objects: BucketObjects, key: string, entry: ArchiveEntry, signal?: AbortSignal) {
  try {
    return await objects.upload(normalizeKey(key), entry.stream, {
      contentLength: entry.size,
      ...(signal === undefined ? {} : { signal }),
    })
  } catch (error) {
    const own = entry.stream.errored
    throw isStorageError(own) ? own : error
  }
}

async function readConfig(objects: BucketObjects, key: string, info: ObjectInfo): Promise<SiteConfig> {
  if (info.size > MAX_SITE_CONFIG_BYTES) {
    throw new StorageError(
      'InvalidArgument',
      `${SITE_CONFIG_FILE} is larger than ${MAX_SITE_CONFIG_BYTES} bytes`,
    )
  }
  const result = await objects.get(normalizeKey(key), {})
  if (result.notModified) throw new StorageError('Internal', `${SITE_CONFIG_FILE} could not be read back`)
  return parseSiteConfig((await buffer(result.body)).toString('utf8'))
}

/** Where a deploy's files come from: entries yielded one at a time, checked against `keyPrefix`. */
export type DeploySource = (keyPrefix: string) => AsyncIterable<ArchiveEntry>

/**
 * Deploys the files `source` yields as a new immutable deploy of `site`: each file is stored through
 * the bucket layer (policy, quota, index, audit) under the deploy's own prefix as it comes, then the
 * deploy is recorded, and made live unless `activate` is false. Whatever fails (an unsafe entry, a
 * limit, the quota, the storage), the files stored so far are deleted and nothing is recorded: a bad
 * source leaves no trace but the audit trail.
 */
export async function deployEntries(
  sites: SiteStore,
  objects: BucketObjects,
  site: string,
  source: DeploySource,
  options: Pick<DeployOptions, 'activate' | 'signal'> = {},
): Promise<Deploy> {
  checkSiteName(site)
  const id = nextId().toLowerCase()
  const prefix = deployPrefix(site, id)
  const { signal } = options
  let files = 0
  let bytes = 0
  let config: SiteConfig = { spa: false }
  try {
    for await (const entry of source(`${objects.bucket.name}/${prefix}`)) {
      const info = await storeEntry(objects, prefix + entry.path, entry, signal)
      files += 1
      bytes += info.size
      if (entry.path === SITE_CONFIG_FILE) config = await readConfig(objects, prefix + entry.path, info)
    }
    if (files === 0) throw new StorageError('InvalidArgument', 'the deploy holds no file')
    const deploy: Deploy = { site, id, files, bytes, spa: config.spa, createdAt: new Date().toISOString() }
    await sites.addDeploy(deploy, options.activate ?? true)
    return deploy
  } catch (error) {
    await removeFiles(objects, prefix, error)
    throw error
  }
}

/**
 * Deploys an archive (zip or tar.gz, streamed) as a new immutable deploy of `site`, extracted entry
 * by entry as it arrives (see `deployEntries` and `extractArchive`).
 */
export function deploySite(
  sites: SiteStore,
  objects: BucketObjects,
  site: string,
  body: AsyncIterable<Uint8Array>,
  options: DeployOptions = {},
): Promise<Deploy> {
  const { signal } = options
  const source: DeploySource = (keyPrefix) =>
    extractArchive(body, {
      keyPrefix,
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(options.tempDir === undefined ? {} : { tempDir: options.tempDir }),
      ...(signal === undefined ? {} : { signal }),
    })
  return deployEntries(sites, objects, site, source, options)
}

/** Deletes a deploy's files; a failure to do so is reported with the error that made it necessary. */
export async function removeFiles(objects: BucketObjects, prefix: string, reason?: unknown): Promise<void> {
  const result = await objects.deleteMany({ prefix }).catch((error: unknown) => ({ errors: [error] }))
  if (result.errors.length > 0) {
    const cause = reason === undefined ? result.errors : [reason, ...result.errors]
    throw new StorageError('Unavailable', `the files under "${prefix}" could not all be removed`, { cause })
  }
}
