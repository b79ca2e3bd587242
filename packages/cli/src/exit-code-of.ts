import { CofferError } from '@coffer/client'
import { UsageError } from './coffer-url.ts'
import { EXIT, EXIT_OF_CODE } from './exit-codes.ts'

/** The families of local file-system errors, by Node's errno code. */
const EXIT_OF_ERRNO: Readonly<Record<string, number>> = {
  ENOENT: EXIT.notFound,
  EACCES: EXIT.denied,
  EPERM: EXIT.denied,
  ENOSPC: EXIT.tooLarge,
  EDQUOT: EXIT.tooLarge,
  EFBIG: EXIT.tooLarge,
}

/** Several transfers failed (each already reported); exits with the first failure's code. */
export class TransfersFailed extends Error {
  override name = 'TransfersFailed'
  readonly first: unknown
  constructor(failed: number, total: number, first: unknown) {
    super(`${failed} of ${total} transfer(s) failed`)
    this.first = first
  }
}

/** The exit code for an error: the service's family, a usage mistake, or a local file error. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof TransfersFailed) return exitCodeOf(error.first)
  if (error instanceof CofferError) return EXIT_OF_CODE[error.code]
  if (error instanceof UsageError) return EXIT.usage
  const errno = (error as NodeJS.ErrnoException | undefined)?.code
  if (typeof errno === 'string' && errno.startsWith('E')) return EXIT_OF_ERRNO[errno] ?? EXIT.invalid
  return EXIT.unavailable
}
