/**
 * `@coffer/server`: Coffer's HTTP service (REST API, buckets and policies, API keys and JWTs, signed
 * URLs) over `@coffer/core`'s storage, with its index in SQLite or Postgres.
 */
export { type AppOptions, type CofferApp, createApp } from './app.ts'
export type { App, AppContext } from './app-context.ts'
export { type ApiKey, ApiKeyStore, hashToken, TOKEN_PREFIX } from './auth/api-key-store.ts'
export { createJwtVerifier, type JwtVerifier } from './auth/jwt-verifier.ts'
export {
  allows,
  PERMISSIONS,
  type Permission,
  type Principal,
  parseScopes,
  type Scope,
} from './auth/scopes.ts'
export { BucketObjects } from './buckets/bucket-objects.ts'
export {
  BUCKET_NAME,
  type Bucket,
  type BucketPatch,
  type BucketPolicy,
  BucketStore,
} from './buckets/bucket-store.ts'
export { type Config, type JwtConfig, loadConfig } from './config.ts'
export { type DatabaseOptions, openDatabase } from './db/open-database.ts'
export type { Database } from './db/schema.ts'
export { STATUS_OF } from './http/problem.ts'
export { redactUrl } from './http/request-log.ts'
export { type RunningServer, startServer } from './start-server.ts'
