/**
 * `@coffer/core`: one StorageService over drivers that keep S3's semantics (fs, memory, and S3 in
 * `@coffer/driver-s3`).
 */
export { ifNoneMatchMatches } from './conditional.ts'
export {
  type Disposition,
  dispositionHeader,
  MAX_DISPOSITION_LENGTH,
  normalizeDisposition,
  parseDisposition,
  serializeDisposition,
} from './content-disposition.ts'
export { detectContentType, essence, isActiveType, matchesType, SNIFF_BYTES } from './content-type.ts'
export type {
  Digest,
  Driver,
  DriverCapabilities,
  DriverGetOptions,
  DriverPutOptions,
  ListHint,
  ListStart,
  MultipartDriver,
  PutBody,
} from './driver.ts'
export { type FsDriverOptions, fsDriver } from './drivers/fs/fs-driver.ts'
export { type MemoryDriverOptions, memoryDriver } from './drivers/memory/memory-driver.ts'
export { objectInfo, optionalAttributes } from './drivers/object-info.ts'
export {
  ERROR_CODES,
  isAbortError,
  isStorageError,
  type KeyMessage,
  StorageError,
  type StorageErrorCode,
  type StorageErrorOptions,
  toStorageError,
} from './errors.ts'
export {
  type DriverFromEnv,
  driverFromEnv,
  type Env,
  type FromEnvOptions,
  storageFromEnv,
} from './from-env.ts'
export { IngestStream, peek, toReadable } from './ingest.ts'
export {
  checkSegmentLength,
  compareKeys,
  encodeKeyPath,
  MAX_KEY_BYTES,
  type NormalizedKey,
  normalizeKey,
  normalizePrefix,
} from './keys.ts'
export { MAX_LIST_LIMIT } from './listing.ts'
export {
  MAX_MEDIA_TYPE_LENGTH,
  type MediaType,
  normalizeMediaType,
  parseMediaType,
  serializeMediaType,
} from './media-type.ts'
export { BOOLEAN_SPELLINGS, parseBoolean } from './parse-boolean.ts'
export { contentRange, parseRange, resolveRange } from './range.ts'
export { MAX_METADATA_BYTES, normalizeMetadata } from './service/attributes.ts'
export {
  type CopyOptions,
  createStorage,
  type StorageOptions,
  StorageService,
} from './service/storage-service.ts'
export { MAX_EXPIRES_IN, type SignedGrant, UrlSigner } from './signer.ts'
export type * from './types.ts'
export { generateUniqueObjectName } from './unique-name.ts'
