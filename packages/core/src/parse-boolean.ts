/** The spellings a boolean setting accepts, for messages: any case, surrounding spaces ignored. */
export const BOOLEAN_SPELLINGS = 'true/false, 1/0 or yes/no'

const TRUE = new Set(['true', '1', 'yes'])
const FALSE = new Set(['false', '0', 'no'])

/**
 * The one boolean syntax of Coffer's settings (environment variables, the service's and the drivers'
 * configuration): `true`/`false`, `1`/`0`, `yes`/`no`, in any case. Returns undefined for anything
 * else, so that the caller names the setting in its own problem (see `BOOLEAN_SPELLINGS`).
 */
export function parseBoolean(text: string): boolean | undefined {
  const word = text.trim().toLowerCase()
  if (TRUE.has(word)) return true
  if (FALSE.has(word)) return false
  return undefined
}
