const KEY = 'coffer.token'

/**
 * The credential of this tab. It lives in sessionStorage, so it ends with the tab and is never
 * written to disk by the app; a new tab gets it from an open one only by asking (session-handoff.ts).
 */
export const session = {
  get(): string | undefined {
    return sessionStorage.getItem(KEY) ?? undefined
  },
  set(token: string): void {
    sessionStorage.setItem(KEY, token)
  },
  clear(): void {
    sessionStorage.removeItem(KEY)
  },
}

/**
 * Takes a token from a sign-in link (`/#token=…`), and the hash with it out of the address bar and
 * the history, so the token is not bookmarked or shared by accident. Undefined when there is none.
 */
export function takeTokenFromHash(
  loc: Pick<Location, 'hash' | 'pathname' | 'search'>,
  hist: History,
): string | undefined {
  const params = new URLSearchParams(loc.hash.replace(/^#/, ''))
  const token = params.get('token')
  if (!token) return undefined
  params.delete('token')
  const rest = params.toString()
  hist.replaceState(null, '', `${loc.pathname}${loc.search}${rest ? `#${rest}` : ''}`)
  return token
}
