import type { StorageService } from '@coffer/core'
import type { Kysely } from 'kysely'
import type { ObjectCatalog } from '../catalog/object-catalog.ts'
import type { UsageRecorder } from '../catalog/usage.ts'
import type { Database } from '../db/schema.ts'
import type { Metrics } from '../support/metrics.ts'
import type { ApiKeyStore } from './auth/api-key-store.ts'
import type { Authenticator } from './auth/authenticator.ts'
import type { BucketStore } from './buckets/bucket-store.ts'
import type { ReconcileReport } from './buckets/reconcile.ts'

/** What the domain shares: the storage, the index and its stores, and the credential checks. */
export interface DomainContext {
  storage: StorageService
  db: Kysely<Database>
  /** The object index: rows, counters, reservations and the audit trail. */
  catalog: ObjectCatalog
  usage: UsageRecorder
  metrics: Metrics
  /** Whether `/metrics` answers without credentials. */
  metricsPublic: boolean
  /** Runs reconcile (one at a time per process). */
  reconcile: (options?: { bucket?: string; signal?: AbortSignal }) => Promise<ReconcileReport>
  buckets: BucketStore
  keys: ApiKeyStore
  auth: Authenticator
  /** Where Coffer's signed URLs point (`<content url>/signed`): known once the content origin listens. */
  signedBase: () => string
  /** Signed GET URLs straight to the store (S3), which no revoke can stop; off unless configured. */
  directSignedGets: boolean
  /**
   * Where browsers reach the content origin, the listener of user bytes (`/public`, `/signed`):
   * configured, or the address it listens on. No trailing slash.
   */
  contentUrl: () => string
}
