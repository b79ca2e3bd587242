import type { CofferClient } from '@coffer/client'
import { print, printJson } from '../output.ts'

/** A grant of the credential, as the service describes it. */
interface ScopeJson {
  bucket: string
  prefix?: string
  permissions: string[]
}

/** `GET /v1/whoami`: the credential the service sees. */
export interface WhoamiJson {
  kind?: string
  name?: string
  id?: string
  scopes: (ScopeJson | string)[]
  expiresAt?: string | null
}

/** A scope as `coffer keys create --scope` takes it: `BUCKET[/PREFIX]:PERMS`. */
export function formatScope(scope: ScopeJson | string): string {
  if (typeof scope === 'string') return scope
  const prefix = scope.prefix ? `/${scope.prefix}` : ''
  return `${scope.bucket}${prefix}:${scope.permissions.join(',')}`
}

/**
 * `coffer whoami [--json]`: the credential in use (its name, or its kind and id), the service it was
 * checked against, what it may do, and until when.
 */
export async function whoami(client: CofferClient, options: { json?: boolean }): Promise<void> {
  const me: WhoamiJson = await client.whoami()
  if (options.json) return printJson(me)
  const who = me.name ?? [me.kind, me.id].filter(Boolean).join(' ')
  print(`${who || 'unnamed credential'} at ${client.url}`)
  print(`expires   ${me.expiresAt ?? 'never'}`)
  for (const scope of me.scopes) print(`scope     ${formatScope(scope)}`)
}
