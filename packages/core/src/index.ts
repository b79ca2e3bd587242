/**
 * `@coffer/core`: one StorageService over drivers that keep S3's semantics (fs and memory here, S3
 * in a driver package of its own), and the rules every layer shares: keys, content types, ranges,
 * errors. What an application uses; a driver author's kit is `@coffer/core/driver`, the
 * conformance suite `@coffer/core/testing`.
 */
export {
  type Disposition,
  dispositionHeader,
  MAX_DISPOSITION_LENGTH,
  normalizeDisposition,
  parseDisposition,
  serializeDisposition,
} from './content-disposition.ts'
export { detectContentType, essence, isActiveType, matchesType, SNIFF_BYTES } from './content-type.ts'
export { type FsDriverOptions, fsDriver } from './drivers/fs/fs-driver.ts'
export { type MemoryDriverOptions, memoryDriver } from './drivers/memory/memory-driver.ts'
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
export { toReadable } from './ingest.ts'
export {
  checkSegmentLength,
  compareKeys,
  encodeKeyPath,
  keyInFolder,
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
export {
  checkCompletion,
  checkPartNumber,
  MAX_PART_NUMBER,
  MIN_PART_SIZE,
  multipartEtag,
  type PartRef,
  type StoredPart,
} from './multipart.ts'
export { BOOLEAN_SPELLINGS, parseBoolean } from './parse-boolean.ts'
export { contentRange, parseRange } from './range.ts'
export { MAX_METADATA_BYTES, normalizeMetadata } from './service/attributes.ts'
export type { CompleteOptions, UploadPartOptions } from './service/multipart-upload.ts'
export {
  type CopyOptions,
  createStorage,
  type MoveOptions,
  type StorageOptions,
  StorageService,
} from './service/storage-service.ts'
export { MAX_EXPIRES_IN, type SignedGrant, UrlSigner } from './signer.ts'
export type * from './types.ts'
export { generateUniqueObjectName } from './unique-name.ts'
