/**
 * The one side channel between tus's hooks and Coffer's answers. A hook (and the body it reads)
 * fails in tus's own protocol, by throwing `{ status_code, body }`, which tus turns into a plain-text
 * answer; Coffer answers with the real error as a problem document instead (413, 415, 408, …). So the
 * hook keeps the real error on the request's record (`keepFailure`), throws tus's form
 * (`failHook`), and the route throws the kept error once tus has answered (`takeFailure`).
 */
export interface FailureChannel {
  /** The first error the upload failed with, kept for the route's answer. */
  failure?: unknown
}

/** Keeps the first error of a request for its answer. */
export function keepFailure(channel: FailureChannel, error: unknown): void {
  channel.failure ??= error
}

/** Keeps `error` and stops tus in its own protocol; the route answers with `error`. */
export function failHook(channel: FailureChannel, error: unknown): never {
  keepFailure(channel, error)
  throw { status_code: 500, body: 'internal error' }
}

/** The error kept for a request, if any: tus's own answer must then be dropped for it. */
export function takeFailure(channel: FailureChannel | undefined): unknown {
  return channel?.failure
}
