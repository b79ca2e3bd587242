/**
 * Hands the credential to a new tab of the UI, so that a link opened in a new tab does not ask to
 * sign in again, while the key stays where it was: in memory and sessionStorage, never in
 * localStorage, a cookie or anything that outlives the tabs.
 *
 * Why a BroadcastChannel: it reaches only documents of this same origin (the API origin), where
 * Coffer serves its own UI and nothing of its users (their bytes are on the content origin), so no
 * script of another origin can listen. A cookie would be sent with every request (CSRF to guard)
 * and localStorage would keep the key on disk after the last tab closed. The cost: with no other tab
 * open, a new tab asks to sign in, which is what "the session ends with the tabs" means.
 */
const CHANNEL = 'coffer.session'

type Message = { type: 'ask' } | { type: 'token'; token: string } | { type: 'signed-out'; token: string }

function channel(): BroadcastChannel | undefined {
  return typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : undefined
}

/** Asks the other tabs for their credential; undefined when none answers within `timeoutMs`. */
export function askOtherTabs(timeoutMs = 400): Promise<string | undefined> {
  const ch = channel()
  if (!ch) return Promise.resolve(undefined)
  return new Promise((resolve) => {
    const done = (token: string | undefined) => {
      clearTimeout(timer)
      ch.close()
      resolve(token)
    }
    const timer = setTimeout(() => done(undefined), timeoutMs)
    ch.onmessage = (event: MessageEvent<Message>) => {
      if (event.data?.type === 'token' && typeof event.data.token === 'string') done(event.data.token)
    }
    ch.postMessage({ type: 'ask' } satisfies Message)
  })
}

/**
 * While signed in: answers other tabs that ask, and signs this tab out when another tab with the same
 * key signs out (else it would hand the key straight back); a tab signed in with another key (a
 * sign-in link) stays. Returns the function that stops listening.
 */
export function shareWithOtherTabs(token: string, onSignedOut: () => void): () => void {
  const ch = channel()
  if (!ch) return () => {}
  ch.onmessage = (event: MessageEvent<Message>) => {
    if (event.data?.type === 'ask') ch.postMessage({ type: 'token', token } satisfies Message)
    else if (event.data?.type === 'signed-out' && event.data.token === token) onSignedOut()
  }
  return () => ch.close()
}

/** Tells the other tabs that the person signed out, so that every tab forgets the key. */
export function signOutOtherTabs(token: string): void {
  const ch = channel()
  ch?.postMessage({ type: 'signed-out', token } satisfies Message)
  ch?.close()
}
