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
  5  service unavailable, timeout or internal error
  6  other invalid input (bad key, bucket not empty, precondition failed)`
