import type { ApiKeyInfo, AuditEvent, AuditQuery, UsagePoint } from './admin-types.ts'
import type { CofferClient } from './coffer-client.ts'
import type { Scope } from './types.ts'

/** Every API key, revoked ones included (service admin). */
export async function listKeys(client: CofferClient): Promise<ApiKeyInfo[]> {
  return (await client.json<{ keys: ApiKeyInfo[] }>('/v1/keys')).keys
}

/** Creates an API key; the token in the answer is the only copy there will be. */
export function createApiKey(
  client: CofferClient,
  input: { name: string; scopes: Scope[]; expiresAt?: string },
): Promise<{ key: ApiKeyInfo; token: string }> {
  return client.json('/v1/keys', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
  })
}

export async function revokeKey(client: CofferClient, id: string): Promise<void> {
  await client.request(`/v1/keys/${encodeURIComponent(id)}`, { method: 'DELETE' })
}

/** Traffic per day by bucket or by key name, over the last `days` days. */
export async function usageSeries(
  client: CofferClient,
  by: 'bucket' | 'name',
  days: number,
): Promise<UsagePoint[]> {
  const query = new URLSearchParams({ by, days: String(days) })
  return (await client.json<{ points: UsagePoint[] }>(`/v1/usage/series?${query}`)).points
}

/** One page of the audit trail, newest first, and the cursor of the next. */
export function auditPage(
  client: CofferClient,
  query: AuditQuery,
): Promise<{ events: AuditEvent[]; cursor?: string }> {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(name, String(value))
  }
  return client.json(`/v1/audit?${params}`)
}

/** Deletes an empty bucket (the server refuses one that holds objects). */
export async function deleteBucket(client: CofferClient, name: string): Promise<void> {
  await client.request(`/v1/buckets/${encodeURIComponent(name)}`, { method: 'DELETE' })
}
