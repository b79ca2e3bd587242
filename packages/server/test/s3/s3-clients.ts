import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { S3Client } from '@aws-sdk/client-s3'
import type { Harness } from '../harness.ts'

/** Debian's own S3 clients (scripts/test-services.sh installs them), run unchanged against Coffer. */
const TOOLS = ['/usr/bin/aws', '/usr/bin/rclone', '/usr/bin/python3']

/** The clients missing here; with CI=true a missing one fails the file instead of skipping it. */
export function missingClients(): string[] {
  const missing = TOOLS.filter((tool) => !existsSync(tool))
  if (missing.length > 0 && process.env.CI === 'true')
    throw new Error(`S3 clients missing: ${missing.join(', ')}`)
  return missing
}

/** Runs a client to its end (at most a minute), never through a shell. */
export { type Run, runClient as run } from './s3-test-clients.ts'

import { s3ClientOf } from './s3-test-clients.ts'

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** S3 credentials of a new API key with these scopes, made through the REST API. */
export async function s3Credentials(
  harness: Harness,
  scopes: unknown[],
): Promise<{ id: string; accessKeyId: string; secretAccessKey: string }> {
  const response = await harness.fetch('/v1/keys', {
    method: 'POST',
    token: harness.admin,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'tools', scopes, s3: true }),
  })
  const body = (await response.json()) as {
    key: { id: string }
    s3: { accessKeyId: string; secretAccessKey: string }
  }
  return { id: body.key.id, ...body.s3 }
}

/**
 * The environment aws-cli, rclone (remote `coffer:`) and boto3 read their settings from, for these
 * credentials, with their files in `home` (written here). No AWS_CA_BUNDLE: rclone would refuse it.
 */
export async function clientEnv(
  harness: Harness,
  home: string,
  s3: { accessKeyId: string; secretAccessKey: string },
): Promise<Record<string, string>> {
  await writeFile(join(home, 'aws-config'), '[default]\ns3 =\n  addressing_style = path\n')
  await writeFile(join(home, 'rclone.conf'), '')
  return {
    PATH: '/usr/bin:/bin',
    HOME: home,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(home, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    RCLONE_CONFIG: join(home, 'rclone.conf'),
    RCLONE_CONFIG_COFFER_TYPE: 's3',
    RCLONE_CONFIG_COFFER_PROVIDER: 'Other',
    RCLONE_CONFIG_COFFER_ACCESS_KEY_ID: s3.accessKeyId,
    RCLONE_CONFIG_COFFER_SECRET_ACCESS_KEY: s3.secretAccessKey,
    RCLONE_CONFIG_COFFER_ENDPOINT: harness.s3Url,
    RCLONE_CONFIG_COFFER_REGION: 'us-east-1',
    RCLONE_CONFIG_COFFER_FORCE_PATH_STYLE: 'true',
  }
}

/** The sha256 of what the REST API serves for a key, or its status: S3 writes went through the bucket layer. */
export async function restSha(harness: Harness, bucket: string, key: string): Promise<string | number> {
  const response = await harness.fetch(`/v1/buckets/${bucket}/objects/${encodeURIComponent(key)}`, {
    token: harness.admin,
  })
  return response.status === 200 ? sha256(new Uint8Array(await response.arrayBuffer())) : response.status
}

/** Sets a bucket's quota through the REST API. */
export async function setQuota(harness: Harness, bucket: string, quotaBytes: number): Promise<void> {
  const response = await harness.fetch(`/v1/buckets/${bucket}`, {
    method: 'PATCH',
    token: harness.admin,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ quotaBytes }),
  })
  if (response.status !== 200) throw new Error(`setting the quota answered ${response.status}`)
}

/** An AWS SDK client for the harness's S3 endpoint (path style, no retries, default checksums). */
export function sdkClient(
  harness: Harness,
  credentials: { accessKeyId: string; secretAccessKey: string },
): S3Client {
  return s3ClientOf(harness, { id: '', ...credentials })
}

/** The S3 error name a call fails with, or 'ok'. */
export function outcome(run: Promise<unknown>): Promise<string> {
  return run.then(
    () => 'ok',
    (error: Error) => error.name,
  )
}

/** An API key with these scopes and an SDK client signing with its S3 credentials. */
export async function s3Key(harness: Harness, scopes: unknown[]): Promise<{ id: string; client: S3Client }> {
  const credentials = await s3Credentials(harness, scopes)
  return { id: credentials.id, client: sdkClient(harness, credentials) }
}

/** `data` cut into parts of `size` bytes, the last one shorter. */
export function partsOf(data: Buffer, size: number): Buffer[] {
  const parts: Buffer[] = []
  for (let at = 0; at < data.length; at += size) parts.push(data.subarray(at, at + size))
  return parts
}

/** S3's etag of an object uploaded in these parts: the md5 of their binary md5s, then `-N`. */
export function multipartEtag(parts: readonly Uint8Array[]): string {
  const md5s = parts.map((part) => createHash('md5').update(part).digest())
  return `"${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${parts.length}"`
}
