/**
 * `@coffer/client/schemas`: the JSON Schemas (TypeBox) of what Coffer's REST API answers. They are the
 * contract between the service and its clients: the server validates and documents its answers with
 * them (its OpenAPI document at /docs), and `@coffer/client` derives its response types from them.
 */
export {
  ApiKeyJson,
  ApiKeyListJson,
  CreatedKeyJson,
  PERMISSIONS,
  ScopeSchema,
  WhoamiJson,
} from './access-schemas.ts'
export { AuditEventJson, AuditPageJson } from './audit-schemas.ts'
export { BucketJson, BucketListJson, CORS_METHODS, CorsRuleJson } from './bucket-schemas.ts'
export { ExportJson } from './export-schemas.ts'
export {
  DeleteResultJson,
  ImageJson,
  ListPageJson,
  ObjectJson,
  RenderUrlsJson,
  SignedUrlJson,
  SummaryJson,
  ZipLinkJson,
} from './object-schemas.ts'
export { ProblemSchema } from './problem-schema.ts'
export { ShareJson, ShareListJson } from './share-schemas.ts'
export { DeployedJson, DeployJson, SiteDeploysJson, SiteJson, SiteListJson } from './site-schemas.ts'
export { BucketUsageJson, ServiceUsageJson, UsageSeriesJson } from './usage-schemas.ts'
