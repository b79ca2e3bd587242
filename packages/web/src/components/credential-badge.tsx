import type { Whoami } from '../api/types.ts'
import { viewOnly } from '../lib/abilities.ts'
import { formatDate } from '../lib/format.ts'

/**
 * What the signed-in credential is, where it is limited: "View only · until 6 Dec, 14:00" for a
 * read-only key or sign-in link, "Until …" for one that expires. Nothing for a lasting full key.
 */
export function CredentialBadge(props: { who: Whoami | undefined }) {
  const { who } = props
  if (!who) return null
  const parts = [
    viewOnly(who) ? 'View only' : undefined,
    who.expiresAt ? `until ${formatDate(who.expiresAt)}` : undefined,
  ].filter((p) => p !== undefined)
  if (parts.length === 0) return null
  const text = parts.join(' · ')
  return (
    <span className="credential muted" title={`Signed in as ${who.name}`}>
      {text.charAt(0).toUpperCase() + text.slice(1)}
    </span>
  )
}
