import type { CofferClient } from '../api/coffer-client.ts'
import type { AdminSection } from '../lib/router.ts'
import { AuditPage } from './audit-page.tsx'
import { KeysPage } from './keys-page.tsx'
import { UsagePage } from './usage-page.tsx'

/**
 * The admin pages, for service admins only. Others (who may have followed a link) are told so: the
 * server would refuse every request these pages make.
 */
export function AdminPages(props: {
  client: CofferClient
  /** Undefined while the server has not said yet. */
  admin: boolean | undefined
  section: AdminSection
  buckets: string[]
  /** The id of the key the UI is signed in with. */
  selfId?: string | undefined
}) {
  if (props.admin === undefined) return <p aria-busy="true">Loading…</p>
  if (!props.admin) {
    return (
      <main className="page admin-page">
        <h1>Administration</h1>
        <p>These pages are for keys that administer the whole service.</p>
      </main>
    )
  }
  if (props.section === 'keys')
    return <KeysPage client={props.client} buckets={props.buckets} selfId={props.selfId} />
  if (props.section === 'usage') return <UsagePage client={props.client} />
  return <AuditPage client={props.client} />
}
