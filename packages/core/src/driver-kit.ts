/**
 * `@coffer/core/driver`: the driver author's kit. The contract a backend implements (`Driver`), and
 * the helpers drivers share so that every backend keeps the same semantics: records of finished
 * writes, conditional reads, ranges, key order, and the hashing stream that bodies arrive through.
 * Applications need none of it: they use `@coffer/core`. The conformance suite is
 * `@coffer/core/testing`.
 */
export { ifNoneMatchMatches } from './conditional.ts'
export type {
  Digest,
  Driver,
  DriverCapabilities,
  DriverCopyOptions,
  DriverGetOptions,
  DriverMoveOptions,
  DriverPutOptions,
  ListHint,
  ListStart,
  MultipartDriver,
  PutBody,
} from './driver.ts'
export { objectInfo, optionalAttributes } from './drivers/object-info.ts'
export { type IngestOptions, IngestStream, peek } from './ingest.ts'
export { compareKeys, type NormalizedKey } from './keys.ts'
export { isUploadId, multipartEtag, type PartRef, type StoredPart } from './multipart.ts'
export { resolveRange } from './range.ts'
