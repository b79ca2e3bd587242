/** `@coffer/driver-s3`: Amazon S3 and S3-compatible stores as a Coffer driver. */
export { type S3Driver, s3Driver } from './s3-driver.ts'
export { s3DriverFromEnv } from './s3-from-env.ts'
export type { MultipartStrategy, S3DriverOptions } from './s3-options.ts'
export { type S3OptionsFromEnv, s3OptionsFromEnv } from './s3-options-from-env.ts'
export type { PresignPostOptions } from './s3-post.ts'
