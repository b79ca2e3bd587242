/**
 * `@coffer/server`: Coffer's HTTP service (REST API, buckets and policies, API keys and JWTs, signed
 * URLs) over `@coffer/core`'s storage, with its index in SQLite or Postgres.
 */
export { type AppOptions, type CofferApp, createApp } from './app/create-app.ts'
export { type Config, type JwtConfig, loadConfig } from './config/config.ts'
export { type DatabaseOptions, openDatabase } from './db/open-database.ts'
export type { Database } from './db/schema.ts'
export { type ApiKey, ApiKeyStore, hashToken, TOKEN_PREFIX } from './domain/auth/api-key-store.ts'
export { createJwtVerifier, type JwtVerifier } from './domain/auth/jwt-verifier.ts'
export {
  allows,
  PERMISSIONS,
  type Permission,
  type Principal,
  parseScopes,
  type Scope,
} from './domain/auth/scopes.ts'
export { BucketObjects } from './domain/buckets/bucket-objects.ts'
export {
  BUCKET_NAME,
  type Bucket,
  type BucketPatch,
  type BucketPolicy,
  BucketStore,
} from './domain/buckets/bucket-store.ts'
export type { AppContext } from './http/app-context.ts'
export { STATUS_OF } from './http/problem.ts'
export { redactUrl } from './http/request-log.ts'
export type { App } from './http/typed-app.ts'
export { type RunningServer, startServer } from './service/start-server.ts'
