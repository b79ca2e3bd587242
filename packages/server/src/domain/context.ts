import type { StorageService } from '@coffer/core'
import type { Kysely } from 'kysely'
import type { ObjectCatalog } from '../catalog/object-catalog.ts'
import type { UsageRecorder } from '../catalog/usage.ts'
import type { WriteIntents } from '../catalog/write-intents.ts'
import type { Database } from '../db/schema.ts'
import type { Metrics } from '../support/metrics.ts'
import type { ApiKeyStore } from './auth/api-key-store.ts'
import type { Authenticator } from './auth/authenticator.ts'
import type { S3CredentialStore } from './auth/s3-credential-store.ts'
import type { BucketCors } from './buckets/bucket-cors.ts'
import type { BucketStore } from './buckets/bucket-store.ts'
import type { ReconcileReport } from './buckets/reconcile.ts'
import type { ImageUploads } from './renders/image-uploads.ts'
import type { RenderService } from './renders/render-service.ts'
import type { RenderSigner } from './renders/render-signer.ts'
import type { ShareStore } from './shares/share-store.ts'
import type { ArchiveLimits } from './sites/archive-limits.ts'
import type { SiteStore } from './sites/site-store.ts'
import type { MultipartUploadStore } from './uploads/multipart-upload-store.ts'

/** What the domain shares: the storage, the index and its stores, and the credential checks. */
export interface DomainContext {
  storage: StorageService
  db: Kysely<Database>
  /** The object index: rows, counters, reservations and the audit trail. */
  catalog: ObjectCatalog
  /** Store writes under way, recorded before the store commits them (crash repair). */
  intents: WriteIntents
  usage: UsageRecorder
  metrics: Metrics
  /** Whether `/metrics` answers without credentials. */
  metricsPublic: boolean
  /** Runs reconcile (one at a time per process). */
  reconcile: (options?: { bucket?: string; signal?: AbortSignal }) => Promise<ReconcileReport>
  buckets: BucketStore
  keys: ApiKeyStore
  /** The S3 credentials of API keys (access key id and sealed secret), for the S3 endpoint. */
  s3Credentials: S3CredentialStore
  /** S3 multipart uploads in progress: who started each, and where it goes. */
  multipartUploads: MultipartUploadStore
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
  /** The CORS rules of buckets and of the service (`COFFER_CORS_ORIGINS`). */
  cors: BucketCors
  /** Share links: records that links on the content origin refer to (`/share/<token>`). */
  shares: ShareStore
  /** Prototype sites and their deploys. */
  sites: SiteStore
  /** What one deploy may hold, from an archive or a bucket (defaults: `DEFAULT_ARCHIVE_LIMITS`). */
  siteLimits: Partial<ArchiveLimits>
  /** The host names sites are served under: `<site>.<sitesDomain>` (COFFER_SITES_DOMAIN). */
  sitesDomain: string
  /** A site's own origin: `<scheme>://<site>.<sitesDomain>[:<content port>]`. */
  siteUrl: (site: string) => string
  /** Signs preview links of private sites (the signing secret; the purpose is part of what is signed). */
  previewSecret: string
  /** Image renders through the variant cache. */
  renders: RenderService
  /** Strips and probes uploaded images (see `BucketObjects.upload`). */
  images: ImageUploads
  /** Signs and verifies render URLs (`/render-signed/…` on the content origin). */
  renderSigner: RenderSigner
}
