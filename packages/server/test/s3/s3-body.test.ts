import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { crc32 } from 'node:zlib'
import { crc32c } from '@aws-crypto/crc32c'
import { type ChecksumAlgorithm, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { Sha256 } from '@smithy/core/checksum'
import { getSigningKey, SignatureV4 } from '@smithy/signature-v4'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NodeSha256 } from '../../src/s3/sigv4-crypto.ts'
import { EXAMPLE, encodeAwsChunked } from './aws-chunked-encoder.ts'
import { type ProtocolServer, startProtocolServer } from './protocol-server.ts'

let server: ProtocolServer
beforeAll(async () => {
  server = await startProtocolServer(EXAMPLE.accessKeyId, EXAMPLE.secretAccessKey)
})
afterAll(() => server.close())

const client = (
  requestChecksumCalculation: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED',
  secretAccessKey = EXAMPLE.secretAccessKey,
) =>
  new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: EXAMPLE.accessKeyId, secretAccessKey },
    requestChecksumCalculation,
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  })

const data = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251))
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

describe('bodies the AWS SDK sends', () => {
  it('takes streamed uploads with each trailing checksum the SDK computes', async () => {
    for (const algorithm of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as ChecksumAlgorithm[]) {
      const Key = `trailer/${algorithm}`
      await client('WHEN_SUPPORTED').send(
        new PutObjectCommand({
          Bucket: 'b',
          Key,
          Body: Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]),
          ContentLength: data.length,
          ChecksumAlgorithm: algorithm,
        }),
      )
      const stored = server.objects.get(`/b/${Key}`)
      expect(stored?.mode).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER')
      expect(sha256(stored?.body ?? Buffer.alloc(0))).toBe(sha256(data))
      expect(stored?.digests.get(algorithm.toLowerCase() as 'crc32')).toBeDefined()
    }
  })

  it('takes signed, unsigned and presigned uploads, and serves them back', async () => {
    await client('WHEN_SUPPORTED').send(
      new PutObjectCommand({ Bucket: 'b', Key: 'signed ü+%.bin', Body: data }),
    )
    expect(server.objects.get('/b/signed%20%C3%BC%2B%25.bin')?.body.equals(data)).toBe(true)
    await client('WHEN_REQUIRED').send(
      new PutObjectCommand({
        Bucket: 'b',
        Key: 'plain',
        Body: Readable.from([data]),
        ContentLength: data.length,
      }),
    )
    expect(server.objects.get('/b/plain')?.mode).toBe('UNSIGNED-PAYLOAD')
    const put = await getSignedUrl(
      client('WHEN_REQUIRED'),
      new PutObjectCommand({ Bucket: 'b', Key: 'presigned' }),
      { expiresIn: 60 },
    )
    expect((await fetch(put, { method: 'PUT', body: new Uint8Array(data) })).status).toBe(200)
    const get = await getSignedUrl(
      client('WHEN_REQUIRED'),
      new GetObjectCommand({ Bucket: 'b', Key: 'presigned' }),
      { expiresIn: 60 },
    )
    expect(sha256(Buffer.from(await (await fetch(get)).arrayBuffer()))).toBe(sha256(data))
    const got = await client('WHEN_SUPPORTED').send(
      new GetObjectCommand({ Bucket: 'b', Key: 'signed ü+%.bin' }),
    )
    expect(sha256(Buffer.from((await got.Body?.transformToByteArray()) ?? []))).toBe(sha256(data))
  })

  it('answers a wrong secret with an XML error the SDK reads', async () => {
    const error = await client('WHEN_REQUIRED', 'not-the-secret')
      .send(new GetObjectCommand({ Bucket: 'b', Key: 'plain' }))
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } })
    expect(JSON.stringify(error)).not.toContain(EXAMPLE.secretAccessKey)
  })
})

const signer = new SignatureV4({
  credentials: EXAMPLE,
  region: 'us-east-1',
  service: 's3',
  sha256: Sha256,
  uriEscapePath: false,
})

/** Signs and sends a PUT as a SigV4 client would, with the body given as is; returns status and code. */
async function put(
  key: string,
  headers: Record<string, string>,
  body: Buffer | ((seed: string, signingKey: Uint8Array, longDate: string) => Buffer),
) {
  const { host } = new URL(server.endpoint)
  const signingDate = new Date()
  const signed = await signer.sign(
    {
      method: 'PUT',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: `/b/${key}`,
      query: {},
      headers: { host, ...headers },
    },
    { signingDate },
  )
  const seed = String(signed.headers.authorization).slice(-64)
  const longDate = String(signed.headers['x-amz-date'])
  const signingKey = await getSigningKey(NodeSha256, EXAMPLE, longDate.slice(0, 8), 'us-east-1', 's3')
  const payload = typeof body === 'function' ? body(seed, signingKey, longDate) : body
  const response = await fetch(`${server.endpoint}/b/${key}`, {
    method: 'PUT',
    headers: signed.headers,
    body: new Uint8Array(payload),
  })
  const text = await response.text()
  return {
    status: response.status,
    code: /<Code>(\w+)<\/Code>/.exec(text)?.[1] ?? 'ok',
    stored: server.objects.get(`/b/${key}`),
  }
}

const signing = (seedSignature: string, signingKey: Uint8Array, longDate: string) => ({
  signingKey,
  longDate,
  scope: `${longDate.slice(0, 8)}/us-east-1/s3/aws4_request`,
  seedSignature,
})
const b64 = (n: number) =>
  Buffer.from([n >>> 24, n >>> 16, n >>> 8, n].map((b) => b & 255)).toString('base64')

describe('bodies that do not match what was signed or declared', () => {
  it('refuses a signed payload whose bytes differ from its x-amz-content-sha256', async () => {
    const result = await put(
      'sha-mismatch',
      { 'x-amz-content-sha256': sha256(data) },
      Buffer.concat([data.subarray(1), Buffer.from('x')]),
    )
    expect(result).toMatchObject({ status: 400, code: 'XAmzContentSHA256Mismatch', stored: undefined })
    expect((await put('sha-match', { 'x-amz-content-sha256': sha256(data) }, data)).code).toBe('ok')
  })

  it('checks x-amz-checksum-* headers and Content-MD5', async () => {
    const unsigned = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }
    expect(
      await put('crc-good', { ...unsigned, 'x-amz-checksum-crc32': b64(crc32(data)) }, data),
    ).toMatchObject({ code: 'ok' })
    expect(
      await put('crc-bad', { ...unsigned, 'x-amz-checksum-crc32': b64(crc32(data) ^ 1) }, data),
    ).toMatchObject({ status: 400, code: 'BadDigest', stored: undefined })
    expect(await put('crc-form', { ...unsigned, 'x-amz-checksum-crc32': 'AAAA' }, data)).toMatchObject({
      status: 400,
      code: 'InvalidRequest',
    })
    const md5 = createHash('md5').update(data).digest('base64')
    expect(await put('md5-good', { ...unsigned, 'content-md5': md5 }, data)).toMatchObject({ code: 'ok' })
    expect(await put('md5-bad', { ...unsigned, 'content-md5': md5 }, data.subarray(1))).toMatchObject({
      code: 'BadDigest',
      stored: undefined,
    })
    expect(await put('md5-form', { ...unsigned, 'content-md5': 'nope' }, data)).toMatchObject({
      code: 'InvalidDigest',
    })
  })

  it('takes signed aws-chunked bodies, with and without a signed trailer, and refuses them forged', async () => {
    const length = String(data.length)
    const streaming = { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': length }
    const plain = { ...streaming, 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' }
    const chunked = (seed: string, key: Uint8Array, date: string) =>
      encodeAwsChunked(data, { chunkSizes: [65536], signing: signing(seed, key, date) })
    expect(await put('chunked', plain, chunked)).toMatchObject({ code: 'ok' })
    expect(server.objects.get('/b/chunked')?.body.equals(data)).toBe(true)
    const forged = (seed: string, key: Uint8Array, date: string) => {
      const bytes = chunked(seed, key, date)
      bytes[100_000] = (bytes[100_000] ?? 0) ^ 1
      return bytes
    }
    expect(await put('chunked-forged', plain, forged)).toMatchObject({
      status: 403,
      code: 'SignatureDoesNotMatch',
      stored: undefined,
    })
    expect(
      await put(
        'chunked-no-length',
        { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' },
        chunked,
      ),
    ).toMatchObject({ status: 411, code: 'MissingContentLength' })

    const trailer = {
      ...streaming,
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
      'x-amz-trailer': 'x-amz-checksum-crc32c',
    }
    const withTrailer = (value: string) => (seed: string, key: Uint8Array, date: string) =>
      encodeAwsChunked(data, {
        chunkSizes: [8192, 65536],
        signing: signing(seed, key, date),
        trailers: new Map([['x-amz-checksum-crc32c', value]]),
      })
    expect(await put('trailer', trailer, withTrailer(b64(crc32c(data))))).toMatchObject({ code: 'ok' })
    expect(await put('trailer-bad', trailer, withTrailer(b64(crc32c(data) ^ 1)))).toMatchObject({
      status: 400,
      code: 'BadDigest',
      stored: undefined,
    })
    const unsignedTrailer = { ...trailer, 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' }
    const plainTrailer = encodeAwsChunked(data, {
      chunkSizes: [1000],
      trailers: new Map([['x-amz-checksum-crc32c', b64(crc32c(data))]]),
    })
    expect(await put('unsigned-trailer', unsignedTrailer, plainTrailer)).toMatchObject({ code: 'ok' })
    const swapped = Buffer.from(plainTrailer)
    swapped[10] = (swapped[10] ?? 0) ^ 1
    expect(await put('unsigned-trailer-bad', unsignedTrailer, swapped)).toMatchObject({
      code: 'BadDigest',
      stored: undefined,
    })
  })
})
