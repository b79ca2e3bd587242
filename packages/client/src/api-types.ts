import type { Static } from 'typebox'
import type {
  ApiKeyJson,
  AuditEventJson,
  AuditPageJson,
  BucketJson,
  BucketUsageJson,
  CorsRuleJson,
  CreatedKeyJson,
  DeleteResultJson,
  DeployedJson,
  DeployJson,
  ExportJson,
  ListPageJson,
  ObjectJson,
  RenderUrlsJson,
  ScopeSchema,
  ServiceUsageJson,
  ShareJson,
  SignedUrlJson,
  SiteDeploysJson,
  SiteJson,
  SummaryJson,
  UsageSeriesJson,
  WhoamiJson,
  ZipLinkJson,
} from './schemas/index.ts'

// The API's answers as TypeScript types, derived from the schemas the server answers with
// (`@coffer/client/schemas`): type-only imports, so no schema code reaches a browser bundle.

/** One event of the audit trail. */
export type AuditEvent = Static<typeof AuditEventJson>
/** One page of the audit trail. */
export type AuditPage = Static<typeof AuditPageJson>
/** An object's description: key, size, etag, type, date, metadata, visibility, sha256, image. */
export type ObjectInfo = Static<typeof ObjectJson>
/** One listed object. */
export type ObjectSummary = Static<typeof SummaryJson>
/** One page of a listing. */
export type ListPage = Static<typeof ListPageJson>
/** What a batch delete did. */
export type DeleteResult = Static<typeof DeleteResultJson>
/** A signed URL and its expiry. */
export type SignedUrl = Static<typeof SignedUrlJson>
/** A bucket and its policy. */
export type Bucket = Static<typeof BucketJson>
/** A bucket's CORS rule. */
export type CorsRule = Static<typeof CorsRuleJson>
/** A scope of an API key or JWT. */
export type Scope = Static<typeof ScopeSchema>
/** An API key as listed. */
export type ApiKey = Static<typeof ApiKeyJson>
/** A new API key with its token. */
export type CreatedKey = Static<typeof CreatedKeyJson>
/** Who a credential is. */
export type Whoami = Static<typeof WhoamiJson>
/** A site. */
export type Site = Static<typeof SiteJson>
/** A deploy of a site. */
export type Deploy = Static<typeof DeployJson>
/** A deploy's answer: the site and the new deploy. */
export type Deployed = Static<typeof DeployedJson>
/** A site with its deploys. */
export type SiteDeploys = Static<typeof SiteDeploysJson>
/** A finished export with its link. */
export type ExportResult = Static<typeof ExportJson>
/** A bucket's usage. */
export type BucketUsage = Static<typeof BucketUsageJson>
/** The service's usage. */
export type ServiceUsage = Static<typeof ServiceUsageJson>

/** A share link (see `SharesApi`). */
export type Share = Static<typeof ShareJson>
/** Signed render URLs for many keys, one request's worth. */
export type RenderUrls = Static<typeof RenderUrlsJson>
/** A short link that downloads a selection as one zip. */
export type ZipLink = Static<typeof ZipLinkJson>
/** Traffic per day and series (a bucket, or an API key's name). */
export type UsagePoint = Static<typeof UsageSeriesJson>['points'][number]
