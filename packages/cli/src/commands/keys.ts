import type { Client } from '../client.ts'
import { UsageError } from '../coffer-url.ts'
import { print, printJson, printTable } from '../output.ts'
import { parseDuration } from '../units.ts'

interface Scope {
  bucket: string
  prefix?: string
  permissions: string[]
}

interface ApiKey {
  id: string
  name: string
  scopes: Scope[]
  createdAt: string
  expiresAt?: string
  revokedAt?: string
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
export async function keysLs(client: Client, options: { json?: boolean }): Promise<void> {
  const { keys } = await client.json<{ keys: ApiKey[] }>('/v1/keys')
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
export async function keysCreate(client: Client, name: string, options: KeyCreateOptions): Promise<void> {
  const body: Record<string, unknown> = { name, scopes: options.scope.map(parseScope) }
  if (options.expires !== undefined) {
    body.expiresAt = new Date(Date.now() + parseDuration(options.expires) * 1000).toISOString()
  }
  const created = await client.json<{ key: ApiKey; token: string }>('/v1/keys', 'POST', body)
  if (options.json) return printJson(created)
  process.stderr.write(`created key ${created.key.id} (${created.key.name}); its token is shown once:\n`)
  print(created.token)
}

/** `coffer keys revoke ID`. */
export async function keysRevoke(client: Client, id: string): Promise<void> {
  await client.request(`/v1/keys/${encodeURIComponent(id)}`, { method: 'DELETE' })
  process.stderr.write(`revoked key ${id}\n`)
}
