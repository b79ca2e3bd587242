/**
 * `@coffer/client`: one typed client for Coffer's REST API, for Node ≥ 22 and browsers. It imports no
 * Node built-in: requests go through `fetch`, resumable uploads through `tus-js-client` (which picks
 * its Node or browser build itself).
 */

export type { StorageErrorCode } from '@coffer/core/errors'
export type * from './api-types.ts'
export type { BucketPolicy, BucketsApi } from './buckets-api.ts'
export { type AuditFilter, CofferClient, type CofferClientOptions } from './coffer-client.ts'
export { CofferError, isCofferError, isErrorCode } from './coffer-error.ts'
export type { ExportOptions, ExportsApi } from './exports-api.ts'
export {
  type ApiRequest,
  type CallOptions,
  type HttpTransport,
  isHeaderSafe,
  type TransportOptions,
} from './http-transport.ts'
export { encodeKey, objectPath } from './key-path.ts'
export type { KeysApi } from './keys-api.ts'
export {
  attributeHeaders,
  headOfHeaders,
  isMetadataName,
  type ObjectAttributes,
  type ObjectHead,
} from './object-headers.ts'
export type { ListOptions } from './object-listing.ts'
export type {
  Download,
  DownloadOptions,
  MoveOptions,
  ObjectsApi,
  SignOptions,
  UploadOptions,
} from './objects-api.ts'
export {
  type ResumableBody,
  type ResumableUploadOptions,
  TUS_CHUNK,
  type UploadUrlStore,
} from './resumable-upload.ts'
export type { SharesApi } from './shares-api.ts'
export { RENDER_URLS_PER_REQUEST, type SignRendersOptions } from './signed-renders.ts'
export type { DeployOptions, SitesApi } from './sites-api.ts'
export type { ProgressListener, UploadBody } from './upload-body.ts'
