import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import type { LocalFile } from './local-tree.ts'
import type { RemoteObject } from './remote-tree.ts'

/** An S3-style etag that is the quoted md5 of the bytes (a multipart etag ends in `-N` and is not). */
const MD5_ETAG = /^"([0-9a-f]{32})"$/

/**
 * Whether a local file and an object hold the same bytes, as far as can be known without downloading:
 * sizes first; then the object's sha256 when the listing carries it, else its etag when it is an md5;
 * when neither can be compared, times: uploading (`up`), the object is current if it is not older
 * than the file; downloading (`down`), the file is current if it has the object's time to the second
 * (a download sets it).
 */
export async function sameContent(
  file: LocalFile,
  object: RemoteObject,
  direction: 'up' | 'down',
): Promise<boolean> {
  if (file.size !== object.size) return false
  if (object.sha256 !== undefined) return (await hashFile(file.path, 'sha256')) === object.sha256
  const md5 = MD5_ETAG.exec(object.etag)?.[1]
  if (md5 !== undefined) return (await hashFile(file.path, 'md5')) === md5
  const remoteSeconds = Math.floor(Date.parse(object.lastModified) / 1000)
  const localSeconds = Math.floor(file.mtimeMs / 1000)
  return direction === 'up' ? localSeconds <= remoteSeconds : localSeconds === remoteSeconds
}

/** A file's digest (hex), in one streamed read. */
export async function hashFile(path: string, algorithm: 'md5' | 'sha256'): Promise<string> {
  const hash = createHash(algorithm)
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}
