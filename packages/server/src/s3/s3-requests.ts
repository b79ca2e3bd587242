import { S3Error } from './s3-error.ts'
import { parseS3Xml } from './s3-xml.ts'
import { isCurrentVersion } from './version-id.ts'

/** The most keys one DeleteObjects request may name, as on S3. */
export const MAX_DELETE_KEYS = 1000

/** The most bytes a request document (DeleteObjects, CreateBucketConfiguration) may have. */
export const MAX_REQUEST_XML_BYTES = 2 * 1024 * 1024

/** S3's answer to a request document it cannot read. */
export const malformed = () =>
  new S3Error(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema.',
  )

/** A child element of a parsed document, if the parent is an element and has it. */
export function element(parent: unknown, name: string): unknown {
  return typeof parent === 'object' && parent !== null ? (parent as Record<string, unknown>)[name] : undefined
}

function list(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value]
}

/** A DeleteObjects request: the keys and whether only failures are reported. */
export interface DeleteObjectsRequest {
  /** The keys to delete: named without a `<VersionId>`, or with `null` (the current object's). */
  readonly keys: readonly string[]
  readonly quiet: boolean
  /** Keys named with a version id Coffer does not have: not to be deleted. */
  readonly otherVersions?: readonly string[]
}

/** Reads a `<Delete>` document: 1 to 1000 `<Object><Key>`s and an optional `<Quiet>`. */
export function parseDeleteObjects(text: string): DeleteObjectsRequest {
  const root = element(parseS3Xml(text), 'Delete')
  const objects = list(element(root, 'Object'))
  if (objects.length === 0) throw malformed()
  if (objects.length > MAX_DELETE_KEYS) {
    throw new S3Error('MalformedXML', `a DeleteObjects request names at most ${MAX_DELETE_KEYS} keys`)
  }
  const keys: string[] = []
  const otherVersions: string[] = []
  for (const object of objects) {
    const key = element(object, 'Key')
    const versionId = element(object, 'VersionId')
    if (typeof key !== 'string' || key === '') throw malformed()
    if (versionId !== undefined && typeof versionId !== 'string') throw malformed()
    if (isCurrentVersion(versionId)) keys.push(key)
    else otherVersions.push(key)
  }
  const quiet = element(root, 'Quiet')
  if (quiet !== undefined && quiet !== 'true' && quiet !== 'false') throw malformed()
  return { keys, quiet: quiet === 'true', ...(otherVersions.length > 0 ? { otherVersions } : {}) }
}

/**
 * Reads a CreateBucket body: empty, or a `<CreateBucketConfiguration>` whose `<LocationConstraint>`
 * is the region, or absent; returns the constraint named, if any.
 */
export function parseCreateBucketConfiguration(text: string): string | undefined {
  if (text.trim() === '') return undefined
  const root = element(parseS3Xml(text), 'CreateBucketConfiguration')
  if (root === undefined) throw malformed()
  const location = element(root, 'LocationConstraint')
  if (location !== undefined && typeof location !== 'string') throw malformed()
  return location === '' ? undefined : location
}
