import { CofferError, type StorageErrorCode } from '@coffer/client'
import { formatBytes } from '../lib/format.ts'

/** Where a schema error points (`body/name`, `querystring/limit`): people read only the field. */
const SCHEMA_PATH = /\b(?:body|querystring|params|headers)(?:\/([\w-]+))+/g

/**
 * A server message made readable by people: no schema paths, patterns or route names, and byte
 * counts in the units the UI shows (`1048576 bytes` → `1.0 MB`). The words themselves stay.
 */
export function peopleWords(detail: string): string {
  return detail
    .replace(/^Route \w+:\S+ not found$/, 'There is no such page or action.')
    .replace(
      /\b(?:body|querystring|params|headers)\S* must have required property '([^']+)'/g,
      '$1 is missing',
    )
    .replace(SCHEMA_PATH, (_path, field: string) => field)
    .replace(/ must match (?:pattern|format) "(?:[^"\\]|\\.)*"/g, ' is not in the form expected')
    .replace(/\b(\d{4,}) bytes\b/g, (_all, n: string) => formatBytes(Number(n)))
}

/** What a refusal means for a person, in words, by the error's code. */
const HINTS: Partial<Record<StorageErrorCode, string>> = {
  MissingCredentials: 'Your key is missing, expired or revoked; sign in again',
  AccessDenied: 'Your key does not allow this',
  TooLarge: 'Too large for this bucket',
  UnsupportedMediaType: 'This bucket does not accept this type of file',
  QuotaExceeded: 'The bucket is over its quota',
}

/** The words for a service that could not be reached, which the client says with its address. */
const UNREACHABLE = 'The server could not be reached.'

/** A sentence for the UI: what the code means, then the server's words made readable. */
export function errorText(error: CofferError): string {
  const words = error.code === 'Unavailable' && error.status === 0 ? UNREACHABLE : peopleWords(error.message)
  const hint = HINTS[error.code]
  return hint === undefined ? words : `${hint} — ${words}`
}

/** A message for anything thrown: a `CofferError` says what the server said. */
export function messageOf(error: unknown): string {
  if (error instanceof CofferError) return errorText(error)
  if (error instanceof Error) return error.message
  return String(error)
}

/** Whether trying again may help: the network or the server failed, not a rule of the service. */
export function isTransient(error: unknown): boolean {
  return !(error instanceof CofferError) || error.status === 0 || error.status >= 500
}
