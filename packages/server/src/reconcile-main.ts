import { isStorageError } from '@coffer/core'
import { openBackends } from './backends.ts'
import { BucketStore } from './buckets/bucket-store.ts'
import { loadConfig } from './config.ts'
import { ObjectIndex } from './index/object-index.ts'
import { reconcile } from './index/reconcile.ts'

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
      new ObjectIndex(backends.db),
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
