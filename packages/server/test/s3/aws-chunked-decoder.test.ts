import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AwsChunkedDecoder, type AwsChunkedOptions } from '../../src/s3/aws-chunked-decoder.ts'
import { isS3Error } from '../../src/s3/s3-error.ts'
import type { ChunkSigning } from '../../src/s3/sigv4-verifier.ts'
import { encodeAwsChunked, exampleSigning } from './aws-chunked-encoder.ts'

type Outcome =
  | { ok: true; data: Buffer; trailers: Map<string, string>; maxBuffered: number }
  | { ok: false; error: unknown }

/** Feeds `encoded` to a decoder in pieces cut at `cuts`, and reports what came out. */
async function decode(
  encoded: Buffer,
  cuts: readonly number[],
  options: AwsChunkedOptions,
): Promise<Outcome> {
  const points = [...new Set(cuts.map((cut) => cut % (encoded.length + 1)))].sort((a, b) => a - b)
  const pieces = [0, ...points, encoded.length]
    .slice(1)
    .map((end, i, ends) => encoded.subarray(i === 0 ? 0 : ends[i - 1], end))
  const decoder = new AwsChunkedDecoder(options)
  const out: Buffer[] = []
  let maxBuffered = 0
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      maxBuffered = Math.max(maxBuffered, decoder.readableLength + decoder.writableLength)
      out.push(chunk)
      callback()
    },
  })
  try {
    await pipeline(Readable.from(pieces.filter((piece) => piece.length > 0)), decoder, sink)
    return { ok: true, data: Buffer.concat(out), trailers: decoder.trailers, maxBuffered }
  } catch (error) {
    return { ok: false, error }
  }
}

const codeOf = (outcome: Outcome) =>
  outcome.ok ? 'ok' : isS3Error(outcome.error) ? outcome.error.code : String(outcome.error)

describe('aws-chunked decoding', () => {
  it("decodes the S3 reference's signed chunked upload and refuses it changed", async () => {
    const signing = await exampleSigning('4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9')
    const data = Buffer.alloc(66560, 'a')
    const encoded = Buffer.concat([
      Buffer.from(
        '10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n',
      ),
      data.subarray(0, 65536),
      Buffer.from(
        '\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n',
      ),
      data.subarray(65536),
      Buffer.from(
        '\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n',
      ),
    ])
    const options = { signing, trailer: false, decodedLength: data.length, declaredTrailers: [] }
    const outcome = await decode(encoded, [7, 100, 65600], options)
    expect(outcome.ok && outcome.data.equals(data)).toBe(true)
    expect(encodeAwsChunked(data, { chunkSizes: [65536], signing }).equals(encoded)).toBe(true)
    const changed = Buffer.from(encoded)
    changed[66000] = 'b'.charCodeAt(0)
    expect(codeOf(await decode(changed, [], options))).toBe('SignatureDoesNotMatch')
    expect(codeOf(await decode(encoded, [], { ...options, decodedLength: data.length + 1 }))).toBe(
      'IncompleteBody',
    )
    expect(codeOf(await decode(encoded.subarray(0, -2), [], options))).toBe('IncompleteBody')
  })

  it('never buffers more than a line of a body that never ends its line', async () => {
    const garbage = Buffer.alloc(1 << 20, '1')
    const outcome = await decode(garbage, [10, 5000], {
      trailer: true,
      decodedLength: 10,
      declaredTrailers: [],
      maxLineBytes: 256,
    })
    expect(codeOf(outcome)).toBe('IncompleteBody')
  })

  const mode = fc.constantFrom('signed', 'signed-trailer', 'unsigned-trailer')
  const body = fc.record({
    data: fc.uint8Array({ maxLength: 3000 }).map((bytes) => Buffer.from(bytes)),
    chunkSizes: fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 5 }),
    cuts: fc.array(fc.nat(), { maxLength: 12 }),
    mode,
  })

  async function setup(mode: string, data: Buffer, chunkSizes: number[]) {
    const signing: ChunkSigning | undefined = mode.startsWith('signed')
      ? await exampleSigning('0'.repeat(64))
      : undefined
    const trailer = mode.endsWith('trailer')
    const trailers = trailer ? new Map([['x-amz-checksum-crc32', 'AAAAAA==']]) : undefined
    const encoded = encodeAwsChunked(data, {
      chunkSizes,
      ...(signing ? { signing } : {}),
      ...(trailers ? { trailers } : {}),
    })
    const options: AwsChunkedOptions = {
      ...(signing ? { signing } : {}),
      trailer,
      decodedLength: data.length,
      declaredTrailers: trailer ? ['x-amz-checksum-crc32'] : [],
      maxLineBytes: 200,
    }
    return { encoded, options, trailers }
  }

  it('decodes every encoding the same, wherever the network splits it', async () => {
    await fc.assert(
      fc.asyncProperty(body, async ({ data, chunkSizes, cuts, mode }) => {
        const { encoded, options, trailers } = await setup(mode, data, chunkSizes)
        const outcome = await decode(encoded, cuts, options)
        expect(codeOf(outcome)).toBe('ok')
        if (!outcome.ok) return
        expect(outcome.data.equals(data)).toBe(true)
        expect(outcome.trailers).toEqual(trailers ?? new Map())
        // Held at once: at most one input piece and what the sink has not taken, never the body.
        expect(outcome.maxBuffered).toBeLessThanOrEqual(64 * 1024)
      }),
      { numRuns: 150 },
    )
  })

  it('fails any changed, cut or padded body with an S3 error, and a signed one always', async () => {
    const damage = fc.oneof(
      fc.record({ kind: fc.constant('flip'), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('cut'), at: fc.nat(), value: fc.constant(0) }),
      fc.record({ kind: fc.constant('insert'), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    )
    await fc.assert(
      fc.asyncProperty(body, damage, async ({ data, chunkSizes, cuts, mode }, { kind, at, value }) => {
        const { encoded, options, trailers } = await setup(mode, data, chunkSizes)
        const index = at % (encoded.length + (kind === 'insert' ? 1 : 0))
        let bad: Buffer
        if (kind === 'cut') bad = encoded.subarray(0, index)
        else if (kind === 'insert')
          bad = Buffer.concat([encoded.subarray(0, index), Buffer.from([value]), encoded.subarray(index)])
        else {
          bad = Buffer.from(encoded)
          bad[index] = value
        }
        const outcome = await decode(bad, cuts, options)
        if (!outcome.ok) {
          expect(isS3Error(outcome.error), String(outcome.error)).toBe(true)
          return
        }
        // What survives damage: a body that still has the declared length; a signed one unchanged
        // (only harmless changes pass: the case of a hex size digit, the case of a trailer name).
        expect(outcome.data.length).toBe(data.length)
        if (options.signing !== undefined) {
          expect(outcome.data.equals(data)).toBe(true)
          expect(outcome.trailers).toEqual(trailers ?? new Map())
        }
      }),
      { numRuns: 300 },
    )
  })

  it('answers arbitrary bytes and lengths with an S3 error or a body of the declared length', async () => {
    const text = fc.array(fc.constantFrom('0', '1', 'a', 'F', ';', '=', ':', '\r', '\n', 'x', ' '), {
      maxLength: 300,
    })
    await fc.assert(
      fc.asyncProperty(
        text,
        fc.nat({ max: 40 }),
        mode,
        fc.array(fc.nat(), { maxLength: 6 }),
        async (chars, decodedLength, kind, cuts) => {
          const { options } = await setup(kind, Buffer.alloc(0), [1])
          const outcome = await decode(Buffer.from(chars.join(''), 'latin1'), cuts, {
            ...options,
            decodedLength,
          })
          if (outcome.ok) expect(outcome.data.length).toBe(decodedLength)
          else expect(isS3Error(outcome.error), String(outcome.error)).toBe(true)
        },
      ),
      { numRuns: 300 },
    )
  })
})
