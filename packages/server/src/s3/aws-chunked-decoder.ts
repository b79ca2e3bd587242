import { createHash, type Hash } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'
import { ChunkSignatureChain } from './chunk-signature-chain.ts'
import { S3Error } from './s3-error.ts'
import { EMPTY_SHA256, signaturesMatch } from './sigv4-crypto.ts'
import type { ChunkSigning } from './sigv4-verifier.ts'

/** Options of {@link AwsChunkedDecoder}. */
export interface AwsChunkedOptions {
  /** The signature chain of a signed body; absent for `STREAMING-UNSIGNED-PAYLOAD-TRAILER`. */
  signing?: ChunkSigning
  /** Whether trailing headers may follow the last chunk. */
  trailer: boolean
  /** `x-amz-decoded-content-length`: exactly how many data bytes the chunks carry. */
  decodedLength: number
  /** Lowercase names from `x-amz-trailer`; each must come in the trailer, and no other. */
  declaredTrailers: readonly string[]
  /** The longest chunk header or trailer line, CRLF included; default 4096 bytes. */
  maxLineBytes?: number
}

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done'

const MAX_TRAILERS = 8
const HEX_SIZE = /^[0-9a-fA-F]{1,16}$/
const TRAILER_NAME = /^[a-z0-9-]{1,64}$/
const TRAILER_SIGNATURE = 'x-amz-trailer-signature'

const malformed = (why: string) => new S3Error('IncompleteBody', `the aws-chunked body is malformed: ${why}`)
const badTrailer = (why: string) =>
  new S3Error('MalformedTrailerError', `The request contained trailing data that was not well-formed: ${why}`)
const forged = () => new S3Error('SignatureDoesNotMatch', 'a chunk signature of the body does not match')

/**
 * Decodes an `aws-chunked` body (`hex-size[;chunk-signature=sig]\r\n data \r\n` ... `0...\r\n`,
 * trailing headers, `\r\n`) into its data as it streams. Data is passed on as it arrives, never a
 * whole chunk held; a chunk whose signature does not match fails the stream at that chunk's end, so
 * the consumer (an atomic put) discards everything. Only a header or trailer line is ever buffered,
 * and only up to `maxLineBytes`. Every malformed input fails the stream with an {@link S3Error}.
 */
export class AwsChunkedDecoder extends Transform {
  /** The trailing headers (lowercase names, signature excluded), complete once the stream ends. */
  readonly trailers = new Map<string, string>()
  readonly #options: AwsChunkedOptions
  readonly #chain: ChunkSignatureChain | undefined
  readonly #maxLine: number
  #state: State = 'size'
  #line: Buffer[] = []
  #lineBytes = 0
  #remaining = 0
  #crlf = 0
  #decoded = 0
  #hash: Hash | undefined
  #signature = ''
  #trailerSignature: string | undefined

  constructor(options: AwsChunkedOptions) {
    super()
    this.#options = options
    this.#chain = options.signing === undefined ? undefined : new ChunkSignatureChain(options.signing)
    this.#maxLine = options.maxLineBytes ?? 4096
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#consume(chunk)
      callback()
    } catch (error) {
      callback(error as Error)
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.#finish()
      callback()
    } catch (error) {
      callback(error as Error)
    }
  }

  #consume(buffer: Buffer): void {
    let offset = 0
    while (offset < buffer.length) {
      if (this.#state === 'data') {
        const piece = buffer.subarray(offset, offset + this.#remaining)
        this.#hash?.update(piece)
        this.push(piece)
        offset += piece.length
        this.#remaining -= piece.length
        if (this.#remaining === 0) this.#state = 'data-end'
      } else if (this.#state === 'data-end') {
        if (buffer[offset] !== (this.#crlf === 0 ? 0x0d : 0x0a))
          throw malformed('a chunk is longer than its size')
        offset += 1
        this.#crlf += 1
        if (this.#crlf === 2) this.#endChunk()
      } else if (this.#state === 'done') {
        throw malformed('data follows the end of the body')
      } else {
        const newline = buffer.indexOf(0x0a, offset)
        const end = newline < 0 ? buffer.length : newline + 1
        this.#lineBytes += end - offset
        if (this.#lineBytes > this.#maxLine) throw malformed(`a line is longer than ${this.#maxLine} bytes`)
        this.#line.push(buffer.subarray(offset, end))
        offset = end
        if (newline >= 0) this.#takeLine()
      }
    }
  }

  #takeLine(): void {
    const text = Buffer.concat(this.#line, this.#lineBytes).toString('latin1')
    this.#line = []
    this.#lineBytes = 0
    if (!text.endsWith('\r\n')) throw malformed('a line does not end with CRLF')
    const line = text.slice(0, -2)
    if (this.#state === 'size') this.#startChunk(line)
    else this.#trailerLine(line)
  }

  #startChunk(line: string): void {
    const semicolon = line.indexOf(';')
    const hex = semicolon < 0 ? line : line.slice(0, semicolon)
    if (!HEX_SIZE.test(hex)) throw malformed('a chunk size is not hexadecimal')
    const size = Number.parseInt(hex, 16)
    if (size > this.#options.decodedLength - this.#decoded) {
      throw malformed('the chunks carry more than x-amz-decoded-content-length bytes')
    }
    if (this.#chain !== undefined) {
      const extension = semicolon < 0 ? '' : line.slice(semicolon + 1)
      if (!extension.startsWith('chunk-signature=')) throw malformed('a chunk has no chunk-signature')
      this.#signature = extension.slice('chunk-signature='.length)
    }
    this.#decoded += size
    if (size === 0) {
      this.#checkSignature(EMPTY_SHA256)
      if (this.#decoded !== this.#options.decodedLength) {
        throw new S3Error('IncompleteBody', 'the body carries fewer bytes than x-amz-decoded-content-length')
      }
      this.#state = 'trailer'
      return
    }
    this.#remaining = size
    this.#hash = this.#chain === undefined ? undefined : createHash('sha256')
    this.#state = 'data'
  }

  #endChunk(): void {
    this.#crlf = 0
    this.#checkSignature(this.#hash?.digest('hex') ?? EMPTY_SHA256)
    this.#hash = undefined
    this.#state = 'size'
  }

  #checkSignature(dataSha256: string): void {
    if (this.#chain !== undefined && !signaturesMatch(this.#chain.next(dataSha256), this.#signature))
      throw forged()
  }

  #trailerLine(line: string): void {
    if (line === '') {
      this.#state = 'done'
      return
    }
    if (!this.#options.trailer) throw malformed('the last chunk is not followed by an empty line')
    if (this.#trailerSignature !== undefined) throw badTrailer('a header follows the trailer signature')
    const colon = line.indexOf(':')
    const name = line.slice(0, Math.max(colon, 0)).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    if (colon < 0 || !TRAILER_NAME.test(name)) throw badTrailer('a trailer line is not name:value')
    if (name === TRAILER_SIGNATURE && this.#chain !== undefined) this.#trailerSignature = value
    else if (name === TRAILER_SIGNATURE || !this.#options.declaredTrailers.includes(name)) {
      throw badTrailer(`${name} was not declared in x-amz-trailer`)
    } else if (this.trailers.has(name) || this.trailers.size === MAX_TRAILERS) {
      throw badTrailer('a trailer is repeated')
    } else this.trailers.set(name, value)
  }

  #finish(): void {
    // A trailer-mode body whose sender had no trailer to send may end right after the last chunk.
    const endsAfterLastChunk = this.#state === 'trailer' && this.#lineBytes === 0 && this.trailers.size === 0
    if (this.#state !== 'done' && !(endsAfterLastChunk && this.#options.trailer)) {
      throw new S3Error('IncompleteBody', 'the body ended before its last chunk')
    }
    for (const name of this.#options.declaredTrailers) {
      if (!this.trailers.has(name)) throw badTrailer(`the declared trailer ${name} did not come`)
    }
    if (this.#chain !== undefined && this.#options.trailer) {
      if (this.#trailerSignature === undefined) throw badTrailer('the trailer has no x-amz-trailer-signature')
      if (!signaturesMatch(this.#chain.trailer(this.trailers), this.#trailerSignature)) throw forged()
    }
  }
}
