import { createHash } from 'node:crypto'
import { type _Object, DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import { StorageError } from '@coffer/core'

/**
 * Where staged multipart uploads (`S3DriverOptions.multipart: 'staged'`) keep their objects. The
 * backslash in its first segment is a character no Coffer key may hold, so no key can name, overwrite
 * or list them; `listKeys` also leaves them out of a listing of the whole bucket.
 */
export const STAGING_PREFIX = '\\coffer-staging/'

/** The object of an upload that holds the object's attributes; its presence is the upload's. */
const MANIFEST = 'upload'
const PART = 'part-'
/** S3's limit on keys per DeleteObjects request. */
const DELETE_BATCH = 1000

/**
 * The folder of one upload: `<prefix><hash of the key>/<upload id>/`. The key's hash binds the upload
 * to its key, so one HEAD of the manifest checks both that the upload exists and that it is this key's.
 */
export function uploadFolder(key: string, uploadId: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 32)
  return `${STAGING_PREFIX}${hash}/${uploadId}/`
}

export const manifestKey = (folder: string) => folder + MANIFEST

export const partKey = (folder: string, partNumber: number) =>
  `${folder}${PART}${String(partNumber).padStart(5, '0')}`

/** Whether a staging key is an upload's manifest (one per upload). */
export const isManifest = (key: string) => key.endsWith(`/${MANIFEST}`)

/** The part number of a part's key, or undefined for another staging object. */
export function partNumberOf(folder: string, key: string): number | undefined {
  const match = /^part-(\d{5})$/.exec(key.slice(folder.length))
  return match ? Number(match[1]) : undefined
}

/** Every object under `prefix`, page by page (in the server's order, which s3rver does not keep). */
export async function* listUnder(
  client: S3Client,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
): AsyncIterable<_Object[]> {
  let token: string | undefined
  do {
    const input = { Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }
    const page = await client.send(new ListObjectsV2Command(input), signal ? { abortSignal: signal } : {})
    yield page.Contents ?? []
    token = page.IsTruncated ? page.NextContinuationToken : undefined
  } while (token !== undefined)
}

/** Deletes staging objects in batches; a key the server could not delete fails the call (`Unavailable`). */
export async function deleteStaged(
  client: S3Client,
  bucket: string,
  keys: readonly string[],
  signal?: AbortSignal,
): Promise<void> {
  for (let i = 0; i < keys.length; i += DELETE_BATCH) {
    const Objects = keys.slice(i, i + DELETE_BATCH).map((Key) => ({ Key }))
    const input = { Bucket: bucket, Delete: { Objects, Quiet: true } }
    const output = await client.send(new DeleteObjectsCommand(input), signal ? { abortSignal: signal } : {})
    const failed = output.Errors?.[0]
    if (failed !== undefined) {
      const cause = new Error(`DeleteObjects: ${failed.Code ?? 'error'}`)
      throw new StorageError('Unavailable', 'removing the objects of a staged upload failed', { cause })
    }
  }
}

/** Deletes every object of an upload's folder: its parts, and its manifest when `manifest` is true. */
export async function deleteFolder(
  client: S3Client,
  bucket: string,
  folder: string,
  { manifest }: { manifest: boolean },
): Promise<void> {
  for await (const page of listUnder(client, bucket, folder)) {
    const keys = page.map((object) => object.Key ?? '').filter((key) => manifest || !isManifest(key))
    await deleteStaged(client, bucket, keys)
  }
}
