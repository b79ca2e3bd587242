import type { ObjectTag } from '../domain/buckets/object-tags.ts'
import { S3Error } from './s3-error.ts'
import { buildS3Xml, parseS3Xml } from './s3-xml.ts'

/** S3's limits on object tags (S3 user guide, "Categorizing your storage using tags"). */
export const TAG_LIMITS = { tags: 10, keyChars: 128, valueChars: 256 } as const

// Letters, numbers and spaces of any script, and + - = . _ : / @, as S3 allows in tags.
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u

const invalid = (message: string) => new S3Error('InvalidTag', message)

/** Checks a tag set against S3's rules; throws `InvalidTag` naming the first rule broken. */
export function checkTagSet(tags: readonly ObjectTag[]): readonly ObjectTag[] {
  if (tags.length > TAG_LIMITS.tags) throw invalid(`Object tags cannot be greater than ${TAG_LIMITS.tags}`)
  const keys = new Set<string>()
  for (const [key, value] of tags) {
    // Lengths in Unicode characters (code points), as S3 counts them.
    if ([...key].length < 1 || [...key].length > TAG_LIMITS.keyChars)
      throw invalid(`A tag key must have 1 to ${TAG_LIMITS.keyChars} characters`)
    if ([...value].length > TAG_LIMITS.valueChars)
      throw invalid(`A tag value must have at most ${TAG_LIMITS.valueChars} characters`)
    if (!TAG_TEXT.test(key) || !TAG_TEXT.test(value))
      throw invalid('Tags may hold letters, numbers, spaces and + - = . _ : / @ only')
    if (key.toLowerCase().startsWith('aws:')) throw invalid('Tag keys starting with "aws:" are reserved')
    if (keys.has(key)) throw invalid('Cannot provide multiple Tags with the same key')
    keys.add(key)
  }
  return tags
}

/** The tags of an `x-amz-tagging` header: URL-encoded `key=value` pairs joined by `&`. */
export function parseTaggingHeader(header: string): readonly ObjectTag[] {
  const pairs: ObjectTag[] = []
  for (const part of header.split('&')) {
    if (part === '') continue
    const equals = part.indexOf('=')
    const [key, value] = equals < 0 ? [part, ''] : [part.slice(0, equals), part.slice(equals + 1)]
    try {
      // Form encoding, as the SDKs write it: `+` is a space.
      pairs.push([
        decodeURIComponent(key.replaceAll('+', ' ')),
        decodeURIComponent(value.replaceAll('+', ' ')),
      ])
    } catch (error) {
      throw new S3Error('InvalidArgument', 'x-amz-tagging has a malformed percent-encoding', { cause: error })
    }
  }
  return checkTagSet(pairs)
}

function element(parent: unknown, name: string): unknown {
  return typeof parent === 'object' && parent !== null ? (parent as Record<string, unknown>)[name] : undefined
}

/** The tags of a `<Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>` document. */
export function parseTaggingXml(text: string): readonly ObjectTag[] {
  const tagSet = element(element(parseS3Xml(text), 'Tagging'), 'TagSet')
  if (tagSet === undefined) throw new S3Error('MalformedXML', 'a Tagging document needs a TagSet')
  const listed = element(tagSet, 'Tag')
  const tags = listed === undefined ? [] : Array.isArray(listed) ? listed : [listed]
  return checkTagSet(
    tags.map((tag): ObjectTag => {
      const key = element(tag, 'Key')
      const value = element(tag, 'Value') ?? ''
      if (typeof key !== 'string' || typeof value !== 'string')
        throw new S3Error('MalformedXML', 'every Tag needs a Key and a Value')
      return [key, value]
    }),
  )
}

/** `Tagging` (GetObjectTagging). */
export function taggingXml(tags: readonly ObjectTag[]): string {
  return buildS3Xml('Tagging', { TagSet: { Tag: tags.map(([key, value]) => ({ Key: key, Value: value })) } })
}
