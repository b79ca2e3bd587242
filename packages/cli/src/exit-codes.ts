// Type only: the CLI loads none of the core at run time, so that every command starts fast.
import type { StorageErrorCode } from '@coffer/core'

/** Exit codes of `coffer`, by error family. */
export const EXIT = {
  ok: 0,
  usage: 1,
  notFound: 2,
  denied: 3,
  tooLarge: 4,
  unavailable: 5,
  invalid: 6,
} as const

/** `coffer --help`'s list of exit codes. */
export const EXIT_HELP = `
Exit codes:
  0  success
  1  usage error
  2  not found (an object, a prefix, a local file)
  3  access denied or missing credentials
  4  too large, quota exceeded or unsupported type (or a full local disk)
  5  service unavailable or busy, timeout or internal error
  6  other invalid input (bad key, bucket not empty, precondition failed)`

/**
 * The exit code of each of the service's error codes: typed by the closed set, so that a code added
 * to it does not compile here until it has a family.
 */
export const EXIT_OF_CODE: Readonly<Record<StorageErrorCode, number>> = {
  NotFound: EXIT.notFound,
  AlreadyExists: EXIT.invalid,
  PreconditionFailed: EXIT.invalid,
  Conflict: EXIT.invalid,
  InvalidKey: EXIT.invalid,
  InvalidArgument: EXIT.invalid,
  InvalidRange: EXIT.invalid,
  InvalidPart: EXIT.invalid,
  InvalidPartOrder: EXIT.invalid,
  PartTooSmall: EXIT.invalid,
  TooLarge: EXIT.tooLarge,
  QuotaExceeded: EXIT.tooLarge,
  UnsupportedMediaType: EXIT.tooLarge,
  // A file the service cannot process as what it claims (an image bomb, a damaged image).
  UnprocessableContent: EXIT.tooLarge,
  AccessDenied: EXIT.denied,
  MissingCredentials: EXIT.denied,
  Unavailable: EXIT.unavailable,
  Timeout: EXIT.unavailable,
  // The service gave up waiting for our body, or has too many of our uploads running: retry later.
  RequestTimeout: EXIT.unavailable,
  TooManyRequests: EXIT.unavailable,
  Aborted: EXIT.unavailable,
  Internal: EXIT.unavailable,
}

/** The exit code of an error code a service answered; one this CLI does not know is invalid input. */
export function exitCodeOfCode(code: string): number {
  return Object.hasOwn(EXIT_OF_CODE, code) ? EXIT_OF_CODE[code as StorageErrorCode] : EXIT.invalid
}
