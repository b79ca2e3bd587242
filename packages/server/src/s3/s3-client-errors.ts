import { randomBytes } from 'node:crypto'
import type { Socket } from 'node:net'
import { S3Error } from './s3-error.ts'
import { errorXml } from './s3-xml.ts'

/** Parser failures S3 has a code of its own for; every other malformed request is `InvalidRequest`. */
const CLIENT_ERRORS: Record<string, () => S3Error> = {
  HPE_HEADER_OVERFLOW: () =>
    new S3Error(
      'RequestHeaderSectionTooLarge',
      'Your request header section exceeds the maximum allowed size.',
    ),
  ERR_HTTP_REQUEST_TIMEOUT: () =>
    new S3Error(
      'RequestTimeout',
      'Your socket connection to the server was not read from or written to within the timeout period.',
    ),
}

/**
 * Malformed HTTP on the S3 listener (bytes a header or a path must not hold, oversized headers):
 * answered on the raw socket, as S3 answers everything, with an XML error document and an
 * `x-amz-request-id`, so that S3 clients read it as an error of theirs rather than as a broken
 * server. Nothing of the request is echoed: it may carry a signature.
 */
export function s3ClientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) return
  const s3 =
    CLIENT_ERRORS[error.code ?? '']?.() ?? new S3Error('InvalidRequest', 'The request is not valid HTTP.')
  const requestId = randomBytes(8).toString('hex').toUpperCase()
  const body = errorXml(s3, { requestId })
  socket.end(
    `HTTP/1.1 ${s3.status} ${s3.status === 400 ? 'Bad Request' : 'Error'}\r\nConnection: close\r\n` +
      `Content-Type: application/xml\r\nx-amz-request-id: ${requestId}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
}
