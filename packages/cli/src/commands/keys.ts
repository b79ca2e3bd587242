import type { ApiKey, Scope as ApiScope, CofferClient } from '@coffer/client'
import { UsageError } from '../coffer-url.ts'
import { print, printJson, printTable } from '../output.ts'
import { parseDuration } from '../units.ts'

interface Scope {
  bucket: string
  prefix?: string
  permissions: string[]
}

/** `BUCKET[/PREFIX]:PERM[,PERM…]` → a scope; `*:admin` is every bucket. */
export function parseScope(text: string): Scope {
  const colon = text.lastIndexOf(':')
  const target = text.slice(0, colon)
  const permissions = text
    .slice(colon + 1)
    .split(',')
    .filter(Boolean)
  if (colon <= 0 || permissions.length === 0) {
    throw new UsageError(
      `bad scope: ${text} (use BUCKET[/PREFIX]:PERMISSIONS, e.g. documents/reports/:read,list)`,
    )
  }
  const slash = target.indexOf('/')
  if (slash === -1) return { bucket: target, permissions }
  return { bucket: target.slice(0, slash), prefix: target.slice(slash + 1), permissions }
}

function scopeText(scope: Scope): string {
  return `${scope.bucket}${scope.prefix ? `/${scope.prefix}` : ''}:${scope.permissions.join(',')}`
}

/** `coffer keys ls [--json]`: every API key (admin), without tokens. */
export async function keysLs(client: CofferClient, options: { json?: boolean }): Promise<void> {
  const keys: ApiKey[] = await client.keys.list()
  if (options.json) return printJson(keys)
  printTable([
    ['ID', 'NAME', 'SCOPES', 'CREATED', 'EXPIRES', 'REVOKED'],
    ...keys.map((k) => [
      k.id,
      k.name,
      k.scopes.map(scopeText).join(' '),
      k.createdAt,
      k.expiresAt ?? '-',
      k.revokedAt ?? '-',
    ]),
  ])
}

/** Options of `coffer keys create`. */
export interface KeyCreateOptions {
  scope: string[]
  expires?: string
  json?: boolean
}

/** `coffer keys create NAME --scope S… [--expires 30d]`: prints the token, which is shown only once. */
export async function keysCreate(
  client: CofferClient,
  name: string,
  options: KeyCreateOptions,
): Promise<void> {
  // The permission names are checked by the service (an unknown one is refused with its list).
  const scopes = options.scope.map(parseScope) as ApiScope[]
  const expiresAt =
    options.expires === undefined
      ? undefined
      : new Date(Date.now() + parseDuration(options.expires) * 1000).toISOString()
  const created = await client.keys.create(
    expiresAt === undefined ? { name, scopes } : { name, scopes, expiresAt },
  )
  if (options.json) return printJson(created)
  process.stderr.write(`created key ${created.key.id} (${created.key.name}); its token is shown once:\n`)
  print(created.token)
}

/** `coffer keys revoke ID`. */
export async function keysRevoke(client: CofferClient, id: string): Promise<void> {
  await client.keys.revoke(id)
  process.stderr.write(`revoked key ${id}\n`)
}
