import { StorageError, toStorageError } from '../../errors.ts'

/**
 * A copy of a file-system error without its host paths: the message keeps the syscall and code, with
 * the data root shown as `<root>`, so that no error, log or response reveals where data lives.
 */
function redact(error: NodeJS.ErrnoException, root: string): Error {
  const clean = new Error(error.message.replaceAll(root, '<root>'))
  clean.name = error.name
  Object.assign(clean, { code: error.code, errno: error.errno, syscall: error.syscall })
  return clean
}

/** Translates a file-system failure of an operation on `key` into a `StorageError`. */
export function fsError(error: unknown, root: string, what: string, key: string): StorageError {
  if (error instanceof StorageError) return error
  const errno = error as NodeJS.ErrnoException
  // Not a system error: the body's own failure (a checksum or signature the server checked while it
  // streamed), kept whole as the cause so that the layer that raised it can still recognise it.
  if (typeof errno?.code !== 'string' || !/^(E[A-Z0-9]+|ABORT_ERR)$/.test(errno.code))
    return toStorageError(error, what, key)
  const cause = redact(errno, root)
  switch (errno.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new StorageError('NotFound', (name) => `no object at "${name}"`, { cause, key })
    case 'ELOOP':
      return new StorageError('AccessDenied', (name) => `the storage refuses to follow a link at "${name}"`, {
        cause,
        key,
      })
    case 'ENAMETOOLONG':
      return new StorageError('InvalidKey', 'the key is too long for the file system', { cause, key })
    case 'ENOSPC':
    case 'EDQUOT':
      return new StorageError('Unavailable', 'the storage volume is full', { cause, key, retryable: false })
    case 'EMFILE':
    case 'ENFILE':
    case 'EBUSY':
    case 'EAGAIN':
      return new StorageError('Unavailable', `${what} failed: the file system is busy`, { cause, key })
    case 'ABORT_ERR':
      return new StorageError('Aborted', `${what} was aborted`, { cause, key })
    default:
      return new StorageError('Internal', `${what} failed (${errno.code})`, { cause, key })
  }
}

export function isErrno(error: unknown, ...codes: string[]): boolean {
  return codes.includes((error as NodeJS.ErrnoException)?.code ?? '')
}
