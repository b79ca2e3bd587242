import { isAbortError, isStorageError, StorageError } from '@coffer/core'

/** The archive formats Coffer unpacks. */
export type ArchiveFormat = 'zip' | 'tar.gz'

/**
 * The error for an archive its decompressor or parser gave up on (bad checksum, truncated data,
 * unknown header): `InvalidArgument` (400). The library's message stays in `cause`, which the server
 * logs but never sends: it may name a temporary file.
 */
export function damagedArchive(format: ArchiveFormat, cause: unknown): StorageError {
  return new StorageError('InvalidArgument', `the ${format} archive is damaged or truncated`, { cause })
}

/**
 * Turns what an extraction threw into a `StorageError`: ours pass through, an abort becomes
 * `Aborted`, a failing temporary file (it has a syscall) `Unavailable`, anything else the archive's
 * fault.
 */
export function archiveError(format: ArchiveFormat, error: unknown): StorageError {
  if (isStorageError(error)) return error
  if (isAbortError(error))
    return new StorageError('Aborted', 'the archive upload was aborted', { cause: error })
  const { syscall, code } = (error ?? {}) as NodeJS.ErrnoException
  if (syscall !== undefined) {
    // The system error names the temporary file: only its syscall and code are kept.
    const cause = Object.assign(new Error(`${syscall} failed: ${code ?? 'unknown error'}`), { syscall, code })
    return new StorageError('Unavailable', 'the archive could not be staged on the server', { cause })
  }
  return damagedArchive(format, error)
}
