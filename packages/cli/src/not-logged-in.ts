import { CofferError } from '@coffer/client'

/** What a first run without a key is told, in place of a refusal or a connection error. */
export const NOT_LOGGED_IN = 'not logged in: run `coffer login --url URL` or set COFFER_KEY (and COFFER_URL)'

/**
 * The error a command without a key reports: an unreachable service (nothing started yet, or the
 * wrong address) and a refusal both mean one thing to a newcomer, that the CLI is not set up.
 */
export function notLoggedIn(error: unknown): unknown {
  if (!(error instanceof CofferError) || ![0, 401].includes(error.status)) return error
  if (error.status === 0 && error.code !== 'Unavailable') return error
  const detail = error.status === 0 ? `; ${error.message}` : ''
  return new CofferError('MissingCredentials', error.status, `${NOT_LOGGED_IN}${detail}`, { cause: error })
}
