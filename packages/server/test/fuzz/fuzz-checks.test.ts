import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FuzzTarget } from './fuzz-target.ts'
import { checkExchange, type Secrets } from './invariants.ts'
import type { Step } from './plan.ts'
import { closeConnections, type WireResponse } from './wire.ts'

// The fuzzer's checks must be able to fail: each is shown a violation of what it looks for.

const secrets: Secrets = {
  adminKey: 'admin-key-'.repeat(4),
  signingSecret: 's'.repeat(43),
  root: '/tmp/coffer-fuzz-x',
  s3Secrets: ['t'.repeat(40)],
}
const get: Step = { route: 'GET /x', method: 'GET', target: '/x', headers: [], transport: 'http' }
const problem = (status: number, reason: string, body: unknown): WireResponse => ({
  status,
  reason,
  headers: [['content-type', 'application/problem+json; charset=utf-8']],
  body: Buffer.from(JSON.stringify(body)),
})
const invariants = (response: WireResponse | undefined, step = get) =>
  checkExchange(step, response ? { response } : { error: 'closed' }, secrets).map((v) => v.invariant)

describe("the fuzzer's checks", () => {
  it('pass a problem document, and flag 5xx, other error formats, odd 500 lines, leaks and silence', () => {
    const notFound = {
      type: 'urn:coffer:error:NotFound',
      title: 'Not Found',
      status: 404,
      detail: 'x',
      code: 'NotFound',
    }
    expect(invariants(problem(404, 'Not Found', notFound))).toEqual([])
    const internal = { ...notFound, status: 500, code: 'Internal' }
    expect(invariants(problem(500, 'Internal Server Error', internal))).toEqual(['500 for a client request'])
    expect(invariants(problem(500, 'Oops', internal))).toContain('500 status line')
    const plain: WireResponse = {
      status: 417,
      reason: 'Expectation Failed',
      headers: [],
      body: Buffer.alloc(0),
    }
    expect(invariants(plain)).toEqual(['error is not a problem document'])
    expect(invariants(problem(400, 'Bad Request', { ...notFound, status: 400, code: 'Nope' }))).toEqual([
      'error is not a problem document',
    ])
    const leak = problem(404, 'Not Found', { ...notFound, detail: `no file ${secrets.root}/data/x` })
    expect(invariants(leak)).toEqual(['response shows the data dir path'])
    expect(invariants(undefined)).toEqual(['no response'])
    expect(invariants(undefined, { ...get, cutAt: 3 })).toEqual([])
  })

  it('on the S3 endpoint: want XML errors with matching status and a request id, no echoed signature', () => {
    const signature = 'ab'.repeat(32)
    const s3: Step = {
      ...get,
      listener: 's3',
      headers: [
        ['Authorization', `AWS4-HMAC-SHA256 Credential=x, SignedHeaders=host, Signature=${signature}`],
      ],
    }
    const xml = (status: number, code: string, id = true, extra = ''): WireResponse => ({
      status,
      reason: '',
      headers: [
        ['content-type', 'application/xml'],
        ...(id ? [['x-amz-request-id', '1'] as [string, string]] : []),
      ],
      body: Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code>${extra}</Error>`),
    })
    expect(invariants(xml(404, 'NoSuchKey'), s3)).toEqual([])
    expect(invariants(xml(501, 'NotImplemented'), s3)).toEqual([])
    expect(invariants(xml(403, 'XAmzContentSHA256Mismatch'), s3)).toEqual([
      'S3 error is not an S3 XML document',
    ])
    expect(invariants(xml(400, 'NoSuchThing'), s3)).toEqual(['S3 error is not an S3 XML document'])
    expect(invariants(xml(500, 'InternalError'), s3)).toContain('500 for a client request')
    expect(invariants(xml(404, 'NoSuchKey', false), s3)).toEqual(['S3 answer without x-amz-request-id'])
    expect(invariants(problem(404, 'Not Found', { code: 'NotFound' }), s3)).toContain(
      'S3 error is not an S3 XML document',
    )
    expect(invariants(xml(403, 'SignatureDoesNotMatch', true, `<Sig>${signature}</Sig>`), s3)).toEqual([
      "response shows the request's signature",
    ])
  })

  it('see a file written beside the data dir, and a live service', async () => {
    const target = await FuzzTarget.start()
    try {
      expect(await target.alive()).toBeUndefined()
      expect(target.writtenOutside()).toBe('')
      await writeFile(join(target.coffer.root, 'sentinel', 'planted.txt'), 'x')
      expect(target.writtenOutside()).toContain('planted.txt')
    } finally {
      closeConnections()
      await target.coffer.stop()
    }
    expect(await target.alive()).toMatch(/exited/)
  })
})
