import { StorageError } from '@coffer/core'

/**
 * tus's refusals (text/plain bodies, from @tus/utils' ERRORS) in Coffer's codes, so that they become
 * problem documents like every other error. Statuses the tus protocol gives a meaning to stay:
 * 404 (no such upload), 409 (the offset moved on: clients ask HEAD and resume), 412 (Tus-Resumable
 * missing), 413. tus's 403s are malformed requests (a missing Upload-Offset or Content-Type) and
 * become 400s; its 501s (Upload-Concat, an extension Coffer does not offer) too.
 */
export function tusRefusal(status: number, body: string): StorageError {
  // The bodies are tus's fixed texts, never the caller's input; one line of them is shown.
  const text = body.split('\n')[0]?.trim().slice(0, 200) || 'the request was refused'
  switch (status) {
    case 404:
    case 410:
      return new StorageError('NotFound', 'no such upload')
    case 409:
      return new StorageError('Conflict', "Upload-Offset is not the upload's offset: ask HEAD for it")
    case 412:
      return new StorageError('PreconditionFailed', 'tus requests need a Tus-Resumable: 1.0.0 header')
    case 413:
      return new StorageError('TooLarge', 'the upload is larger than it may be')
    case 400:
      // tus ends a request when another one takes the upload's lock: the client resumes from HEAD.
      return text.startsWith('Request aborted')
        ? new StorageError('Conflict', 'another request on this upload took it over; ask HEAD for the offset')
        : new StorageError('InvalidArgument', text)
    case 501:
      return new StorageError('InvalidArgument', 'this tus extension is not supported')
    default:
      if (status >= 400 && status < 500) return new StorageError('InvalidArgument', text)
      // A lock not acquired in time (500) is worth a retry; anything else is a fault.
      if (text.startsWith('failed to acquire lock')) {
        return new StorageError('Unavailable', 'the upload is busy; retry later')
      }
      return new StorageError('Internal', 'internal error', {
        cause: new Error(`tus answered ${status}: ${text}`),
      })
  }
}

/**
 * Removes the CORS headers tus adds on its own (`Access-Control-Allow-Origin: *` and the lists of
 * exposed and allowed headers): the rest of the API sends none, and the web UI talks to it from its
 * own origin, so tus must not open the uploads to every other origin.
 */
export function withoutCors(response: Response): Response {
  for (const name of [...response.headers.keys()]) {
    if (name.startsWith('access-control-')) response.headers.delete(name)
  }
  return response
}
