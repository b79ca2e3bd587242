import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type S3Signing, signS3 } from '../fuzz/s3-signing.ts'
import { closeConnections, send } from '../fuzz/wire.ts'
import { type Harness, json, startHarness } from '../harness.ts'
import { createS3Key, type S3Key } from './s3-test-clients.ts'

// Found by the S3 fuzzer: an abort (or a completion) while parts still arrive failed with a 500,
// the fs driver's removal of the upload's folder meeting a part's new temp file (ENOTEMPTY).

let harness: Harness
let admin: S3Key
let port: number
const signing: S3Signing = { as: 'admin', how: 'header', payload: 'signed', tamper: 'none', chunkSizes: [1] }

async function s3(method: string, target: string, body?: Buffer): Promise<{ status: number; text: string }> {
  const step = {
    route: '',
    method,
    target,
    headers: [],
    transport: 'http' as const,
    ...(body ? { body } : {}),
  }
  const { response, error } = await send(await signS3(step, signing, admin, port), port, 20_000)
  if (!response) throw new Error(`no answer: ${error}`)
  return { status: response.status, text: response.body.toString('utf8') }
}

beforeAll(async () => {
  harness = await startHarness('sqlite')
  admin = await createS3Key(harness, [{ bucket: '*', permissions: ['admin'] }])
  port = Number(new URL(harness.s3Url).port)
  const created = await harness.fetch('/v1/buckets', {
    method: 'POST',
    token: harness.admin,
    ...json({ name: 'races' }),
  })
  expect(created.status).toBe(201)
})
afterAll(async () => {
  closeConnections()
  await harness?.close()
})

describe('multipart requests side by side', () => {
  it('abort while parts arrive: each answer a 2xx or NoSuchUpload, never a 500', async () => {
    const seen = new Set<string>()
    // Timing decides when the removal meets a part; enough rounds meet it most of the time.
    for (let round = 0; round < 40; round += 1) {
      const created = await s3('POST', `/races/abort-${round}?uploads`)
      const id = /<UploadId>(\w+)<\/UploadId>/.exec(created.text)?.[1]
      expect(id, created.text).toBeDefined()
      const parts = [1, 2, 3].map((n) =>
        s3('PUT', `/races/abort-${round}?partNumber=${n}&uploadId=${id}`, Buffer.alloc(20_000 * n, 0x61)),
      )
      const answers = await Promise.all([...parts, s3('DELETE', `/races/abort-${round}?uploadId=${id}`)])
      for (const { status, text } of answers)
        seen.add(status < 300 ? '2xx' : `${status} ${/<Code>(\w+)<\/Code>/.exec(text)?.[1]}`)
    }
    expect([...seen].filter((answer) => answer !== '2xx' && answer !== '404 NoSuchUpload')).toEqual([])
  })
})
