import { ApiError, type Client } from '../client.ts'
import type { CofferUrl } from '../coffer-url.ts'
import { fileBody } from './count-bytes.ts'
import type { LocalFile } from './local-tree.ts'
import type { FileProgress } from './progress.ts'
import type { UploadIdentity } from './resume-store.ts'
import type { TransferContext } from './transfer-context.ts'

/** Bytes per PATCH: what an interrupted request may cost, against one round trip per chunk. */
export const TUS_CHUNK = 16 * 1024 * 1024
/** PATCHes retried in a row after the service could not be reached, each from the service's offset. */
const RETRIES = 3
const TUS = { 'tus-resumable': '1.0.0' }

/**
 * Uploads a file over tus 1.0 (`/v1/uploads`), resumably: the upload URL is recorded before the first
 * byte is sent, so that a rerun after a crash, a kill or a lost connection asks the service for its
 * offset (HEAD) and sends only the rest. The last PATCH makes the service store the object, with the
 * bucket's limits and type checks; a refusal ends the upload, and the record is dropped.
 */
export async function tusUpload(
  ctx: TransferContext,
  file: LocalFile,
  target: CofferUrl,
  progress: FileProgress,
): Promise<void> {
  const { client } = ctx
  const identity: UploadIdentity = {
    server: client.base,
    bucket: target.bucket,
    key: target.key,
    path: file.path,
    size: file.size,
    mtimeMs: file.mtimeMs,
  }
  const { url, offset: start } = await startOrResume(ctx, identity, target)
  let offset = start
  try {
    for (let failures = 0; offset < file.size; ) {
      progress.update(offset)
      try {
        offset = await patch(client, url, file, offset, progress)
        failures = 0
      } catch (error) {
        if (!resyncable(error) || ++failures > RETRIES) throw error
        const known = await offsetOf(client, url)
        if (known === undefined) throw error
        offset = known
        const reason = error instanceof Error ? error.message : String(error)
        ctx.progress.log(`retrying ${file.path} from byte ${offset} of ${file.size} (${reason})`)
      }
    }
  } catch (error) {
    // A refusal (4xx: too large, wrong type, upload gone) ends the upload on the service; only an
    // unreachable service leaves it to resume.
    if (error instanceof ApiError && error.status >= 400 && error.status < 500)
      await ctx.resumes.delete(identity)
    throw error
  }
  await ctx.resumes.delete(identity)
}

/**
 * The upload recorded for this identity, at the service's offset; or, when there is none or the
 * service no longer has it (stored, refused, expired), a new upload, recorded before any byte is sent.
 */
async function startOrResume(
  ctx: TransferContext,
  identity: UploadIdentity,
  target: CofferUrl,
): Promise<{ url: string; offset: number }> {
  const recorded = await ctx.resumes.get(identity)
  const offset = recorded === undefined ? undefined : await offsetOf(ctx.client, recorded)
  if (recorded !== undefined && offset !== undefined) {
    ctx.progress.log(`resuming ${identity.path} at byte ${offset} of ${identity.size}`)
    return { url: recorded, offset }
  }
  const url = await create(ctx.client, target, identity.size, ctx.uploadHeaders['content-type'])
  await ctx.resumes.set(identity, url)
  return { url, offset: 0 }
}

/**
 * Whether a failed PATCH is worth retrying from the service's offset: the service could not be
 * reached, or tus refused the offset (409) or ended the PATCH for another request on the upload
 * (400 "aborted due to lock", 423).
 */
function resyncable(error: unknown): boolean {
  return error instanceof ApiError && [0, 400, 409, 423].includes(error.status)
}

/** Creates an upload of `size` bytes for the target (of `contentType` when given); its absolute URL. */
async function create(
  client: Client,
  target: CofferUrl,
  size: number,
  contentType: string | undefined,
): Promise<string> {
  const fields = {
    bucket: target.bucket,
    key: target.key,
    ...(contentType === undefined ? {} : { contentType }),
  }
  const metadata = Object.entries(fields)
    .map(([name, value]) => `${name} ${Buffer.from(value).toString('base64')}`)
    .join(',')
  const response = await client.request('/v1/uploads', {
    method: 'POST',
    headers: { ...TUS, 'upload-length': String(size), 'upload-metadata': metadata },
  })
  const location = response.headers.get('location')
  if (location === null) throw new ApiError('Internal', response.status, 'the tus creation gave no Location')
  return new URL(location, `${client.base}/`).toString()
}

/** The service's offset of an upload; `undefined` when the upload is gone (stored, refused, expired). */
async function offsetOf(client: Client, url: string): Promise<number | undefined> {
  try {
    const response = await client.request(url, { method: 'HEAD', headers: TUS })
    return Number(response.headers.get('upload-offset') ?? 0)
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 410)) return undefined
    throw error
  }
}

/** Sends one chunk from `offset`; the service's new offset. */
async function patch(
  client: Client,
  url: string,
  file: LocalFile,
  offset: number,
  progress: FileProgress,
): Promise<number> {
  const end = Math.min(file.size, offset + TUS_CHUNK)
  const response = await client.request(url, {
    method: 'PATCH',
    headers: {
      ...TUS,
      'upload-offset': String(offset),
      'content-type': 'application/offset+octet-stream',
      'content-length': String(end - offset),
    },
    body: fileBody(file.path, { start: offset, end }, (sent) => progress.update(offset + sent)),
    duplex: 'half',
  })
  await response.body?.cancel()
  return Number(response.headers.get('upload-offset') ?? end)
}
