import { isStorageError, StorageError } from '@coffer/core'

/**
 * A sharp or libvips failure as a `StorageError`. Their messages are not passed on: they can name a
 * temporary path or echo parser internals, so each becomes a fixed message and the original its cause.
 */
export function fromSharpError(error: unknown): StorageError {
  if (isStorageError(error)) return error
  const message = error instanceof Error ? error.message : ''
  if (/unsupported image format|is empty/i.test(message)) {
    return new StorageError('UnsupportedMediaType', 'the file is not an image Coffer renders', {
      cause: error,
    })
  }
  if (/pixel limit/i.test(message)) {
    return new StorageError('UnprocessableContent', 'the image has too many pixels to render', {
      cause: error,
    })
  }
  if (/timeout/i.test(message)) {
    return new StorageError('Timeout', 'rendering the image took too long', { cause: error })
  }
  return new StorageError('UnprocessableContent', 'the image is damaged or truncated', { cause: error })
}
