import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { ApiError } from './api/api-error.ts'
import { CofferClient } from './api/coffer-client.ts'
import { managesSites } from './api/sites.ts'
import type { Whoami } from './api/types.ts'
import { BrowserPage } from './components/browser-page.tsx'
import { BucketsPage } from './components/buckets-page.tsx'
import { CredentialBadge } from './components/credential-badge.tsx'
import { InviteDialog } from './components/invite-dialog.tsx'
import { SignIn } from './components/sign-in.tsx'
import { SitesPage } from './components/sites-page.tsx'
import './components/sites.css'
import { UploadPanel } from './components/upload-panel.tsx'
import type { PickedFile } from './lib/drop-files.ts'
import { useRoute } from './lib/router.ts'
import { session, takeTokenFromHash } from './lib/session.ts'
import { RESUMABLE_FROM, uploadTransport } from './upload/transports.ts'
import { UploadQueue } from './upload/upload-queue.ts'
import type { UploadRules } from './upload/upload-rules.ts'

/** The signed-in UI: header, the page of the route, and the upload queue. */
function Shell(props: { client: CofferClient; onSignOut: () => void }) {
  const { client } = props
  const [route, navigate] = useRoute()
  const [admin, setAdmin] = useState(false)
  const [who, setWho] = useState<Whoami | undefined>()
  // Pages offered by the credential show once whoami answered (or failed), never for a moment before.
  const [whoKnown, setWhoKnown] = useState(false)
  const [buckets, setBuckets] = useState<string[]>([])
  const [inviting, setInviting] = useState(false)
  const [stored, setStored] = useState(0)
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  useEffect(() => {
    client.isAdmin().then(setAdmin, () => setAdmin(false))
    // Without whoami (an older server, a network failure) every button shows, and the server decides.
    client
      .whoami()
      .then(setWho, () => setWho(undefined))
      .finally(() => setWhoKnown(true))
    client.buckets().then(
      (list) => setBuckets(list.map((b) => b.name)),
      (error: unknown) => {
        if (error instanceof ApiError && error.status === 401) props.onSignOut()
      },
    )
  }, [client, props.onSignOut])
  const queue = useMemo(
    () =>
      new UploadQueue(uploadTransport(client.token), {
        isResumable: (size) => size >= RESUMABLE_FROM,
        // Many small files finish close together: list again once they settle, not once each.
        onStored: () => {
          clearTimeout(timer.current)
          timer.current = setTimeout(() => setStored((n) => n + 1), 300)
        },
      }),
    [client],
  )
  const onUpload = useCallback(
    (bucket: string, prefix: string, files: PickedFile[], rules?: UploadRules) =>
      queue.add(bucket, prefix, files, rules),
    [queue],
  )
  return (
    <div className="app">
      <a className="skip" href="#content">
        Skip to content
      </a>
      <header className="topbar">
        <a
          className="brand"
          href="/"
          onClick={(event) => {
            event.preventDefault()
            navigate({ page: 'buckets' })
          }}
        >
          <span className="logo" aria-hidden="true" /> Coffer
        </a>
        {whoKnown && managesSites(who) ? (
          <a
            className="nav-link"
            href="/sites"
            aria-current={route.page === 'sites' ? 'page' : undefined}
            onClick={(event) => {
              event.preventDefault()
              navigate({ page: 'sites' })
            }}
          >
            Sites
          </a>
        ) : null}
        <span className="spacer" />
        <CredentialBadge who={who} />
        {admin ? (
          <button type="button" className="small" onClick={() => setInviting(true)}>
            Sign-in link
          </button>
        ) : null}
        <button type="button" className="small" onClick={props.onSignOut}>
          Sign out
        </button>
      </header>
      <div id="content" className="content">
        {route.page === 'sites' ? (
          <SitesPage client={client} who={who} />
        ) : route.page === 'buckets' ? (
          <BucketsPage
            client={client}
            admin={admin}
            onOpen={(bucket) => navigate({ page: 'browse', bucket, prefix: '' })}
          />
        ) : (
          <BrowserPage
            client={client}
            bucket={route.bucket}
            prefix={route.prefix}
            who={who}
            uploads={stored}
            onNavigate={(prefix) =>
              navigate(
                prefix === undefined ? { page: 'buckets' } : { page: 'browse', bucket: route.bucket, prefix },
              )
            }
            onUpload={(prefix, files, rules) => onUpload(route.bucket, prefix, files, rules)}
          />
        )}
      </div>
      <UploadPanel queue={queue} />
      {inviting ? (
        <InviteDialog client={client} buckets={buckets} onClose={() => setInviting(false)} />
      ) : null}
    </div>
  )
}

/** Coffer's web UI: sign in (a key, or a link with a token), then browse. */
export function App() {
  const [token, setToken] = useState<string | undefined>(() => {
    const fromLink = takeTokenFromHash(location, history)
    if (fromLink) session.set(fromLink)
    return session.get()
  })
  const [notice, setNotice] = useState<string | undefined>()
  // A sign-in link opened in a tab that already shows the UI changes the hash only.
  useEffect(() => {
    const onHash = () => {
      const fromLink = takeTokenFromHash(location, history)
      if (!fromLink) return
      session.set(fromLink)
      setNotice(undefined)
      setToken(fromLink)
    }
    addEventListener('hashchange', onHash)
    return () => removeEventListener('hashchange', onHash)
  }, [])
  const client = useMemo(() => (token ? new CofferClient(token) : undefined), [token])
  const signOut = useCallback(() => {
    session.clear()
    setToken(undefined)
    setNotice('You are signed out.')
  }, [])
  if (!client) {
    return (
      <SignIn
        notice={notice}
        onSignIn={(t) => {
          session.set(t)
          setNotice(undefined)
          setToken(t)
        }}
      />
    )
  }
  return <Shell client={client} onSignOut={signOut} />
}
