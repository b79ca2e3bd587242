import type { IncomingHttpHeaders } from 'node:http'
import libmime from 'libmime'
import { readMetadata } from '../http/metadata-headers.ts'
import { AMZ_META } from './s3-call.ts'

/**
 * The user metadata of `x-amz-meta-*` headers. Per the S3 user guide ("Working with object
 * metadata"), values may arrive as RFC 2047 encoded words (`=?UTF-8?B?...?=`), which is how clients
 * whose HTTP stack sends only ASCII (the AWS SDKs, botocore) carry non-ASCII text: they are decoded
 * before storing, so the index and the REST API hold the text itself. Raw UTF-8 bytes are read as
 * UTF-8 (see `headerText`).
 */
export function readS3Metadata(headers: IncomingHttpHeaders): Record<string, string> {
  const metadata = readMetadata(headers, AMZ_META)
  for (const [name, value] of Object.entries(metadata)) metadata[name] = decodeS3MetadataValue(value)
  return metadata
}

/** A metadata value with any RFC 2047 encoded words in it decoded (a POST form's field, a header's). */
export function decodeS3MetadataValue(value: string): string {
  return value.includes('=?') ? libmime.decodeWords(value) : value
}

/**
 * A metadata value as S3 answers it: ASCII as it is, anything else as one RFC 2047 `B` encoded word
 * of its UTF-8 bytes, which every HTTP stack can carry and S3 clients know to decode.
 */
export function encodeS3MetadataValue(value: string): string {
  return /^[\x20-\x7e\t]*$/.test(value) ? value : libmime.encodeWord(value, 'B', 0)
}
