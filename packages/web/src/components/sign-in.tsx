import { useState } from 'react'
import { connect } from '../api/coffer-client.ts'
import { messageOf } from '../api/people-words.ts'
import { ErrorText } from './modal.tsx'

/**
 * Sign in with an API key (`cfr_…`) or a JWT. The key is checked against the server before it is
 * kept, and it is kept for this tab only.
 */
export function SignIn(props: { onSignIn: (token: string) => void; notice?: string | undefined }) {
  const [token, setToken] = useState('')
  const [error, setError] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)
  return (
    <main className="sign-in">
      <form
        className="card"
        onSubmit={async (event) => {
          event.preventDefault()
          setBusy(true)
          setError(undefined)
          try {
            await connect(token.trim()).buckets.list()
            props.onSignIn(token.trim())
          } catch (failure) {
            setError(messageOf(failure))
          } finally {
            setBusy(false)
          }
        }}
      >
        <h1>
          <span className="logo" aria-hidden="true" /> Coffer
        </h1>
        {props.notice ? (
          <p className="notice" role="status">
            {props.notice}
          </p>
        ) : null}
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          placeholder="cfr_…"
          value={token}
          onChange={(event) => setToken(event.target.value)}
        />
        <p className="hint">
          Kept for this tab only, until you sign out or close it. The first start of the server prints an
          admin key; an admin can also send you a sign-in link.
        </p>
        {error === undefined ? null : <ErrorText message={error} />}
        <button type="submit" className="primary" disabled={busy || token.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  )
}
