import { isCofferError } from '@coffer/client'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { type CofferClient, connect, isAdmin, whoamiOf } from './api/coffer-client.ts'
import { managesSites } from './api/sites.ts'
import type { Whoami } from './api/types.ts'
import { AdminPages } from './components/admin-pages.tsx'
import { BrowserPage } from './components/browser-page.tsx'
import { BucketsPage } from './components/buckets-page.tsx'
import { CredentialBadge } from './components/credential-badge.tsx'
import { InviteDialog } from './components/invite-dialog.tsx'
import { NavLink } from './components/nav-link.tsx'
import { SharesPage } from './components/shares-page.tsx'
import { SignIn } from './components/sign-in.tsx'
import { SitesPage } from './components/sites-page.tsx'
import './components/sites.css'
import { UploadPanel } from './components/upload-panel.tsx'
import type { PickedFile } from './lib/drop-files.ts'
import { useRoute } from './lib/router.ts'
import { session, takeTokenFromHash } from './lib/session.ts'
import { askOtherTabs, shareWithOtherTabs, signOutOtherTabs } from './lib/session-handoff.ts'
import { sharesIn } from './lib/share-abilities.ts'
import { RESUMABLE_FROM, uploadTransport } from './upload/transports.ts'
import { UploadQueue } from './upload/upload-queue.ts'
import type { UploadRules } from './upload/upload-rules.ts'

/** The signed-in UI: header, the page of the route, and the upload queue. */
function Shell(props: { client: CofferClient; onSignOut: () => void }) {
  const { client } = props
  const [route, navigate] = useRoute()
  // Undefined until the server has answered: the admin pages wait rather than say "not for you".
  const [adminKnown, setAdmin] = useState<boolean | undefined>()
  const admin = adminKnown === true
  const [who, setWho] = useState<Whoami | undefined>()
  // Pages offered by the credential show once whoami answered (or failed), never for a moment before.
  const [whoKnown, setWhoKnown] = useState(false)
  const [buckets, setBuckets] = useState<string[]>([])
  const [inviting, setInviting] = useState(false)
  const [stored, setStored] = useState(0)
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  useEffect(() => {
    isAdmin(client).then(setAdmin, () => setAdmin(false))
    // Without whoami (an older server, a network failure) every button shows, and the server decides.
    whoamiOf(client)
      .then(setWho, () => setWho(undefined))
      .finally(() => setWhoKnown(true))
    client.buckets.list().then(
      (list) => setBuckets(list.map((b) => b.name)),
      (error: unknown) => {
        if (isCofferError(error, 'MissingCredentials')) props.onSignOut()
      },
    )
  }, [client, props.onSignOut])
  const queue = useMemo(
    () =>
      new UploadQueue(uploadTransport(client), {
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
        {admin ? (
          <nav className="admin-nav" aria-label="Administration">
            <NavLink route={{ page: 'admin', section: 'keys' }} current={route} navigate={navigate}>
              API keys
            </NavLink>
            <NavLink route={{ page: 'admin', section: 'usage' }} current={route} navigate={navigate}>
              Usage
            </NavLink>
            <NavLink route={{ page: 'admin', section: 'audit' }} current={route} navigate={navigate}>
              Audit
            </NavLink>
          </nav>
        ) : null}
        {whoKnown && managesSites(who) ? (
          <NavLink route={{ page: 'sites' }} current={route} navigate={navigate}>
            Sites
          </NavLink>
        ) : null}
        <span className="spacer" />
        {route.page === 'browse' && sharesIn(who, route.bucket) ? (
          <NavLink route={{ page: 'shares', bucket: route.bucket }} current={route} navigate={navigate}>
            Shared links
          </NavLink>
        ) : null}
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
        {route.page === 'admin' ? (
          <AdminPages
            client={client}
            admin={adminKnown}
            section={route.section}
            buckets={buckets}
            selfId={who?.kind === 'key' ? who.id : undefined}
          />
        ) : route.page === 'shares' ? (
          <SharesPage
            client={client}
            bucket={route.bucket}
            onOpenBucket={() => navigate({ page: 'browse', bucket: route.bucket, prefix: '' })}
          />
        ) : route.page === 'sites' ? (
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
  // A tab opened from another (a link in a new tab) asks the open tabs for the key before the form.
  const [asking, setAsking] = useState(() => token === undefined)
  useEffect(() => {
    if (!asking) return
    let live = true
    askOtherTabs().then((fromTab) => {
      if (!live) return
      if (fromTab) {
        session.set(fromTab)
        setToken(fromTab)
      }
      setAsking(false)
    })
    return () => {
      live = false
    }
  }, [asking])
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
  const client = useMemo(() => (token ? connect(token) : undefined), [token])
  const forget = useCallback(() => {
    session.clear()
    setToken(undefined)
    setNotice('You are signed out.')
  }, [])
  const signOut = useCallback(() => {
    if (token) signOutOtherTabs(token)
    forget()
  }, [token, forget])
  useEffect(() => (token ? shareWithOtherTabs(token, forget) : undefined), [token, forget])
  if (!client) {
    if (asking)
      return (
        <main className="sign-in" aria-busy="true">
          <p className="muted">Signing in…</p>
        </main>
      )
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
