import { createHash } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { crc32 } from 'node:zlib'
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import { Sha256 } from '@smithy/core/checksum'
import { getSigningKey, SignatureV4 } from '@smithy/signature-v4'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NodeSha256 } from '../../src/s3/sigv4-crypto.ts'
import { type Harness, startHarness } from '../harness.ts'
import { encodeAwsChunked } from './aws-chunked-encoder.ts'
import { restSha, s3Credentials, sdkClient, sha256 } from './s3-clients.ts'

const data = Buffer.from(Array.from({ length: 150_000 }, (_, i) => (i * 7919) % 251))
const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex')
const b64 = (n: number) =>
  Buffer.from([n >>> 24, n >>> 16, n >>> 8, n].map((b) => b & 255)).toString('base64')

let harness: Harness
let credentials: { accessKeyId: string; secretAccessKey: string }
let s3: S3Client
let uploadId: string

beforeAll(async () => {
  harness = await startHarness('sqlite')
  credentials = await s3Credentials(harness, [{ bucket: '*', permissions: ['admin'] }])
  s3 = sdkClient(harness, credentials)
  const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'documents', Key: 'modes.bin' }))
  uploadId = created.UploadId ?? ''
})
afterAll(() => harness?.close())

type Body = Buffer | ((seed: string, signingKey: Uint8Array, longDate: string) => Buffer) | 'stream'

/** Signs and sends an UploadPart as a SigV4 client would, the body as given; returns status and code. */
async function uploadPart(partNumber: number, headers: Record<string, string>, body: Body) {
  const { host } = new URL(harness.s3Url)
  const signer = new SignatureV4({ credentials, region: 'us-east-1', service: 's3', sha256: Sha256 })
  const query = { partNumber: String(partNumber), uploadId }
  const signed = await signer.sign({
    method: 'PUT',
    protocol: 'http:',
    hostname: '127.0.0.1',
    path: '/documents/modes.bin',
    query,
    headers: { host, ...headers },
  })
  const seed = String(signed.headers.authorization).slice(-64)
  const longDate = String(signed.headers['x-amz-date'])
  const signingKey = await getSigningKey(NodeSha256, credentials, longDate.slice(0, 8), 'us-east-1', 's3')
  const url = `${harness.s3Url}/documents/modes.bin?${new URLSearchParams(query)}`
  const payload =
    body === 'stream' ? data : typeof body === 'function' ? body(seed, signingKey, longDate) : body
  // 'stream': the bytes of `data` with no length ahead (chunked transfer encoding). node:http, as
  // the answer may come (and the connection close) before the client has sent them all.
  const sent = body === 'stream' ? { ...signed.headers, 'transfer-encoding': 'chunked' } : signed.headers
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = httpRequest(url, { method: 'PUT', headers: sent }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
      )
    })
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error)
    })
    request.end(payload)
  })
  return { status, code: /<Code>(\w+)<\/Code>/.exec(text)?.[1] ?? 'ok' }
}

const signing = (seedSignature: string, signingKey: Uint8Array, longDate: string) => ({
  signingKey,
  longDate,
  scope: `${longDate.slice(0, 8)}/us-east-1/s3/aws4_request`,
  seedSignature,
})

describe('UploadPart takes every body form PutObject takes', () => {
  it('signed, unsigned with a checksum, aws-chunked signed, with a signed or unsigned trailer', async () => {
    const streaming = {
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(data.length),
    }
    const crc = new Map([['x-amz-checksum-crc32', b64(crc32(data))]])
    const trailer = { ...streaming, 'x-amz-trailer': 'x-amz-checksum-crc32' }
    const forms: [Record<string, string>, Body][] = [
      [{ 'x-amz-content-sha256': sha256(data) }, data],
      [{ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amz-checksum-crc32': b64(crc32(data)) }, data],
      [
        { ...streaming, 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' },
        (seed, key, date) =>
          encodeAwsChunked(data, { chunkSizes: [65536], signing: signing(seed, key, date) }),
      ],
      [
        { ...trailer, 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER' },
        (seed, key, date) =>
          encodeAwsChunked(data, { chunkSizes: [8192], signing: signing(seed, key, date), trailers: crc }),
      ],
      [
        { ...trailer, 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' },
        encodeAwsChunked(data, { chunkSizes: [1000], trailers: crc }),
      ],
    ]
    for (const [index, [headers, body]] of forms.entries()) {
      expect(await uploadPart(index + 1, headers, body), JSON.stringify(headers)).toEqual({
        status: 200,
        code: 'ok',
      })
    }
    const parts = await s3.send(
      new ListPartsCommand({ Bucket: 'documents', Key: 'modes.bin', UploadId: uploadId }),
    )
    expect(parts.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual(
      forms.map((_, i) => [i + 1, data.length, `"${md5(data)}"`]),
    )
  })

  it('refuses a part whose bytes fail their checksum or signature, and stores nothing for it', async () => {
    const unsigned = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }
    expect(await uploadPart(7, { ...unsigned, 'x-amz-checksum-crc32': b64(crc32(data) ^ 1) }, data)).toEqual({
      status: 400,
      code: 'BadDigest',
    })
    expect(await uploadPart(8, { 'x-amz-content-sha256': sha256(data) }, data.subarray(1))).toMatchObject({
      status: 400,
    })
    expect(await uploadPart(9, unsigned, 'stream')).toEqual({ status: 411, code: 'MissingContentLength' })
    // PutObject answers the same on the fs driver (it used to be InternalError there).
    const put = s3.send(
      new PutObjectCommand({
        Bucket: 'documents',
        Key: 'bad',
        Body: data,
        ChecksumCRC32: b64(crc32(data) ^ 1),
      }),
    )
    expect(
      await put.then(
        () => 'ok',
        (error: Error) => error.name,
      ),
    ).toBe('BadDigest')
    expect(await restSha(harness, 'documents', 'bad')).toBe(404)
    const parts = await s3.send(
      new ListPartsCommand({ Bucket: 'documents', Key: 'modes.bin', UploadId: uploadId }),
    )
    expect(parts.Parts?.map((p) => p.PartNumber)).not.toContain(7)
    expect(parts.Parts?.map((p) => p.PartNumber)).not.toContain(8)
    expect(parts.Parts?.map((p) => p.PartNumber)).not.toContain(9)
    // What was stored completes: the part sent with a signed chunk chain becomes the object.
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'documents',
        Key: 'modes.bin',
        UploadId: uploadId,
        MultipartUpload: { Parts: [{ PartNumber: 3, ETag: `"${md5(data)}"` }] },
      }),
    )
    expect(await restSha(harness, 'documents', 'modes.bin')).toBe(sha256(data))
  })
})
