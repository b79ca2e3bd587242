import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type S3Signing, signS3 } from '../fuzz/s3-signing.ts'
import { closeConnections, headerOf, send, type WireRequest } from '../fuzz/wire.ts'
import { type Harness, json, rawRequest, startHarness } from '../harness.ts'
import { createS3Key, type S3Key } from './s3-test-clients.ts'

// Requests the S3 fuzzer (test/fuzz, `npm run test:fuzz -- --only s3`) found mishandled: each is
// answered as S3 answers, with an XML error document and an x-amz-request-id, never a 5xx.
// (The bucket is `wire`; the cases that race are at the end.)

let harness: Harness
let admin: S3Key
let port: number

const signing = (changes: Partial<S3Signing> = {}): S3Signing => ({
  as: 'admin',
  how: 'header',
  payload: 'signed',
  tamper: 'none',
  chunkSizes: [8192],
  ...changes,
})

async function sendSigned(request: Omit<WireRequest, 'transport'>, changes: Partial<S3Signing> = {}) {
  const step = { route: '', transport: 'raw' as const, ...request }
  const signed = await signS3(step, signing(changes), admin, port)
  const { response, error } = await send(signed, port, 20_000)
  if (!response) throw new Error(`no answer: ${error}`)
  return { ...response, text: response.body.toString('utf8'), signed }
}

const codeOf = (text: string) => /<Code>(\w+)<\/Code>/.exec(text)?.[1]

beforeAll(async () => {
  harness = await startHarness('sqlite')
  admin = await createS3Key(harness, [{ bucket: '*', permissions: ['admin'] }])
  port = Number(new URL(harness.s3Url).port)
  const created = await harness.fetch('/v1/buckets', {
    method: 'POST',
    token: harness.admin,
    ...json({ name: 'wire' }),
  })
  expect(created.status).toBe(201)
})
afterAll(async () => {
  closeConnections()
  await harness?.close()
})

describe('the S3 endpoint on requests no client should send', () => {
  it('answers a method S3 has no operation for with MethodNotAllowed, not echoing a presigned URL', async () => {
    const answer = await sendSigned(
      { method: 'PATCH', target: '/wire/a.txt', headers: [] },
      { how: 'presign' },
    )
    expect(answer.status).toBe(405)
    expect(codeOf(answer.text)).toBe('MethodNotAllowed')
    expect(headerOf(answer, 'x-amz-request-id')).toBeDefined()
    const signature = /X-Amz-Signature=(\w+)/.exec(answer.signed.target)?.[1] ?? 'none'
    expect(answer.text).not.toContain(signature)
  })

  it('answers malformed HTTP with an S3 error document and a request id', async () => {
    const { status, text } = await rawRequest(
      harness.s3Url,
      'GET /wire/\u00ff\u0001 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    )
    expect(status).toBe(400)
    expect(text).toMatch(/x-amz-request-id: \w+/i)
    expect(text).toMatch(/content-type: application\/xml/i)
    expect(codeOf(text)).toBe('InvalidRequest')
  })

  it('refuses a Content-Type Fastify cannot parse as the client’s error, not a 500', async () => {
    for (const target of ['/wire/type.txt', '/wire/type.txt?uploads']) {
      const method = target.endsWith('uploads') ? 'POST' : 'PUT'
      const answer = await sendSigned({
        method,
        target,
        headers: [['Content-Type', 'image/']],
        body: Buffer.from('x'),
      })
      expect(answer.status, target).toBe(400)
      expect(codeOf(answer.text)).toBe('InvalidArgument')
    }
  })

  it('lets a client sending a large body read the refusal before the connection closes', async () => {
    // Refused at its signature, before the body is read: the close must not reset the answer away.
    const answer = await sendSigned(
      { method: 'PUT', target: '/wire/big.bin', headers: [], body: Buffer.alloc(6 * 1024 * 1024, 0x70) },
      { tamper: 'signature' },
    )
    expect(answer.status).toBe(403)
    expect(codeOf(answer.text)).toBe('SignatureDoesNotMatch')
  })

  it('refuses a POST upload whose form ends inside the file as the client’s error, storing nothing', async () => {
    // No closing boundary: the body arrives whole, but the form ends inside the file part, which
    // busboy fails with a plain Error ("Part terminated early").
    const post = { bucket: 'wire', key: 'cut/form.txt', fault: 'no-closing' as const }
    const step = { method: 'POST', target: '/wire', headers: [], body: Buffer.alloc(4000, 0x66) }
    const answer = await sendSigned(step, { how: 'post', post })
    expect(answer.status, answer.text).toBe(400)
    expect(codeOf(answer.text), answer.text).toBe('MalformedPOSTRequest')
    const read = await harness.fetch('/v1/buckets/wire/objects/cut/form.txt', { token: harness.admin })
    expect(read.status).toBe(404)
  })
})

describe('multipart requests side by side', () => {
  // An abort (or a completion) while parts still arrived failed with a 500: the fs driver's
  // removal of the upload's folder met a part's new temp file (ENOTEMPTY).
  it('abort while parts arrive: each answer a 2xx or NoSuchUpload, never a 500', async () => {
    const seen = new Set<string>()
    // Timing decides when the removal meets a part; enough rounds meet it most of the time.
    for (let round = 0; round < 40; round += 1) {
      const object = `/wire/race-${round}`
      const created = await sendSigned({ method: 'POST', target: `${object}?uploads`, headers: [] })
      const id = /<UploadId>(\w+)<\/UploadId>/.exec(created.text)?.[1]
      expect(id, created.text).toBeDefined()
      const parts = [1, 2, 3].map((n) =>
        sendSigned({
          method: 'PUT',
          target: `${object}?partNumber=${n}&uploadId=${id}`,
          headers: [],
          body: Buffer.alloc(20_000 * n, 0x61),
        }),
      )
      const abort = sendSigned({ method: 'DELETE', target: `${object}?uploadId=${id}`, headers: [] })
      for (const { status, text } of await Promise.all([...parts, abort]))
        seen.add(status < 300 ? '2xx' : `${status} ${codeOf(text)}`)
    }
    expect([...seen].filter((answer) => answer !== '2xx' && answer !== '404 NoSuchUpload')).toEqual([])
  })
})
