import type { Share } from './admin-types.ts'
import type { CofferClient } from './coffer-client.ts'

const sharesPath = (bucket: string) => `/v1/buckets/${encodeURIComponent(bucket)}/shares`

/** What a new share may set: its lifetime in seconds and most downloads (the server's defaults otherwise). */
export interface ShareOptions {
  expiresIn?: number
  maxDownloads?: number
}

/** Shares an object: a link that counts downloads and can be revoked. */
export function createShare(
  client: CofferClient,
  bucket: string,
  key: string,
  options: ShareOptions = {},
): Promise<Share> {
  return client.json(sharesPath(bucket), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key, ...options }),
  })
}

/** The bucket's live shares the credential manages, newest first. */
export async function listShares(client: CofferClient, bucket: string): Promise<Share[]> {
  return (await client.json<{ shares: Share[] }>(sharesPath(bucket))).shares
}

/** Revokes a share: its link stops at once. */
export async function revokeShare(client: CofferClient, bucket: string, id: string): Promise<void> {
  await client.request(`${sharesPath(bucket)}/${encodeURIComponent(id)}`, { method: 'DELETE' })
}
