import { isStorageError } from '@coffer/core'
import { ObjectCatalog } from './catalog/object-catalog.ts'
import { loadConfig } from './config/config.ts'
import { BucketStore } from './domain/buckets/bucket-store.ts'
import { reconcile } from './domain/buckets/reconcile.ts'
import { openBackends } from './service/open-backends.ts'

/**
 * `npm run reconcile [-- BUCKET]`: repairs the index from the store once, with the service's
 * configuration (the same environment as `npm start`), and prints the report as JSON. Safe while
 * the service runs.
 */
async function main(): Promise<void> {
  const bucket = process.argv[2]
  const backends = await openBackends(loadConfig())
  try {
    const report = await reconcile(
      backends.storage,
      new ObjectCatalog(backends.db),
      new BucketStore(backends.db),
      bucket === undefined ? {} : { bucket },
    )
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  } finally {
    await backends.close()
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`coffer reconcile: ${isStorageError(error) ? error.message : String(error)}\n`)
  process.exitCode = 1
})
