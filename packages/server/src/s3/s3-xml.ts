import { XMLBuilder, XMLParser } from 'fast-xml-parser'
import { S3Error } from './s3-error.ts'

/** The namespace of S3's result documents. */
export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/'

/** A value of an XML document: text, a number, a flag, an element, or a repeated element. */
export type XmlValue = string | number | boolean | undefined | XmlElement | readonly XmlValue[]

/** An element's children by name; an array repeats the element, undefined leaves it out. */
export interface XmlElement {
  readonly [name: string]: XmlValue
}

// Characters XML 1.0 cannot carry at all (C0 controls but tab, CR, LF; U+FFFE/U+FFFF; lone
// surrogates): replaced, so that a document is always well-formed whatever a value held.
const NOT_XML =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  processEntities: true,
  suppressEmptyNode: false,
  tagValueProcessor: (_name, value) => (typeof value === 'string' ? value.replace(NOT_XML, '\ufffd') : value),
})

/**
 * Serialises an S3 document with fast-xml-parser's builder, which escapes every value: user data
 * (keys, prefixes, metadata) is never concatenated into markup. Result documents carry S3's
 * namespace; error documents do not, as on S3.
 */
export function buildS3Xml(root: string, element: XmlElement, options: { namespace?: boolean } = {}): string {
  const body = options.namespace === false ? element : { '@_xmlns': S3_NAMESPACE, ...element }
  return builder.build({ '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' }, [root]: body }) as string
}

/** What an error document says besides the error itself. */
export interface ErrorContext {
  /** The bucket or object the request named, e.g. `/bucket/key`. */
  resource?: string
  /** The request's id, also sent as `x-amz-request-id`. */
  requestId: string
}

/** The XML error document of `error` (per the S3 API reference, "Error responses"). */
export function errorXml(error: S3Error, context: ErrorContext): string {
  return buildS3Xml(
    'Error',
    {
      Code: error.code,
      Message: error.message,
      ...error.details,
      Resource: context.resource,
      RequestId: context.requestId,
    },
    { namespace: false },
  )
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  // Character references (`&#34;`, `&#x9;`) too: Go's encoder (rclone, minio-go) writes the quotes
  // of ETags and any quote, tab or newline of a key that way.
  htmlEntities: true,
})

/**
 * Parses a small S3 request document (DeleteObjects, CreateBucketConfiguration, multipart
 * completion) that the caller has read within a size bound. Values stay strings (a key `007` is
 * not the number 7); a DOCTYPE is refused, so no entity can expand. Any malformation is `MalformedXML`.
 */
export function parseS3Xml(text: string): Record<string, unknown> {
  if (/<!DOCTYPE/i.test(text))
    throw new S3Error('MalformedXML', 'The XML you provided may not declare a DOCTYPE.')
  try {
    const parsed: unknown = parser.parse(text, true)
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not a document')
    return parsed as Record<string, unknown>
  } catch (error) {
    throw new S3Error(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema.',
      { cause: error },
    )
  }
}
