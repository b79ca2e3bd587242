/** The key percent-encoded segment by segment, so its slashes stay path separators. */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/')
}

/** The API path of a bucket: `/v1/buckets/BUCKET`. */
export function bucketPath(bucket: string): string {
  return `/v1/buckets/${encodeURIComponent(bucket)}`
}

/** The API path of an object: `/v1/buckets/BUCKET/objects/KEY`, each part percent-encoded. */
export function objectPath(bucket: string, key: string): string {
  return `${bucketPath(bucket)}/objects/${encodeKey(key)}`
}
