import { Sha256 } from '@smithy/core/checksum'
import { SignatureV4 } from '@smithy/signature-v4'
import type { HttpRequest } from '@smithy/types'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isS3Error } from '../../src/s3/s3-error.ts'
import { createSigV4Verifier, type ReceivedRequest } from '../../src/s3/sigv4-verifier.ts'

// The example credentials and requests of the S3 API reference ("Signature Calculations for the
// Authorization Header" and "Query String Authentication"), whose signatures AWS publishes.
const AKID = 'AKIAIOSFODNN7EXAMPLE'
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
const AT = Date.UTC(2013, 4, 24, 0, 5)

const verifier = (now = AT) =>
  createSigV4Verifier({ lookupSecret: async (id) => (id === AKID ? SECRET : undefined), now: () => now })

/** Resolves to the S3 error code a request fails with, or 'ok'. */
async function outcome(request: ReceivedRequest, now = AT): Promise<string> {
  try {
    await verifier(now)(request)
    return 'ok'
  } catch (error) {
    if (isS3Error(error)) return error.code
    throw error
  }
}

const signer = new SignatureV4({
  credentials: { accessKeyId: AKID, secretAccessKey: SECRET },
  region: 'us-east-1',
  service: 's3',
  sha256: Sha256,
  uriEscapePath: false,
})

/** Turns a request @smithy signed into what Node's HTTP server would hand the endpoint. */
function received(signed: HttpRequest): ReceivedRequest {
  const search = Object.entries(signed.query ?? {})
    .flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value]).map(
        (v) => `${encodeURIComponent(name)}=${encodeURIComponent(v ?? '')}`,
      ),
    )
    .join('&')
  const headers = Object.fromEntries(
    Object.entries(signed.headers).map(([name, value]) => [name.toLowerCase(), value]),
  )
  return { method: signed.method, url: search === '' ? signed.path : `${signed.path}?${search}`, headers }
}

const base = (
  path: string,
  extra: Record<string, string> = {},
  query: Record<string, string> = {},
): HttpRequest => ({
  method: 'GET',
  protocol: 'http:',
  hostname: '127.0.0.1',
  port: 7375,
  path,
  query,
  headers: { host: '127.0.0.1:7375', 'x-amz-content-sha256': EMPTY, ...extra },
})

describe('SigV4 verification', () => {
  it("accepts the S3 reference's GET Object example", async () => {
    const request: ReceivedRequest = {
      method: 'GET',
      url: '/test.txt',
      headers: {
        host: 'examplebucket.s3.amazonaws.com',
        range: 'bytes=0-9',
        'x-amz-content-sha256': EMPTY,
        'x-amz-date': '20130524T000000Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
      },
    }
    const verified = await verifier()(request)
    expect(verified).toMatchObject({
      accessKeyId: AKID,
      kind: 'header',
      payload: { kind: 'sha256', sha256: EMPTY },
    })
    expect(await outcome({ ...request, headers: { ...request.headers, range: 'bytes=0-10' } })).toBe(
      'SignatureDoesNotMatch',
    )
  })

  it("accepts the S3 reference's presigned URL example until it expires", async () => {
    const request: ReceivedRequest = {
      method: 'GET',
      url: '/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
      headers: { host: 'examplebucket.s3.amazonaws.com' },
    }
    expect(await verifier()(request)).toMatchObject({ kind: 'query', payload: { kind: 'unsigned' } })
    expect(await outcome(request, Date.UTC(2013, 4, 25, 0, 0, 1))).toBe('AccessDenied')
    expect(await outcome({ ...request, url: request.url.replace('86400', '86401') })).toBe(
      'SignatureDoesNotMatch',
    )
  })

  it('accepts what the SDK signs, with awkward keys and repeated query parameters', async () => {
    for (const key of ['/b/a b+c', "/b/x!'()*~y", '/b/ünï/çødé', '/b/dir//double', '/b/%25literal']) {
      const path = key
        .split('/')
        .map((s) =>
          encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
        )
        .join('/')
      const signed = await signer.sign(
        base(path, { 'x-amz-meta-note': '  spaced   value ' }, { prefix: 'a b', 'list-type': '2' }),
        { signingDate: new Date(AT) },
      )
      expect(await outcome(received(signed)), key).toBe('ok')
    }
  })

  it('canonicalises as the SDK signs, for generated paths, queries and headers (header and presigned)', async () => {
    /** SigV4's encoding of one path segment, as S3 clients send it. */
    const segment = (s: string) =>
      encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    const text = fc.string({ unit: 'grapheme', maxLength: 12 })
    const headerValue = fc.stringMatching(/^[ \t]{0,2}[!-~]([ \t!-~]{0,10}[!-~])?[ \t]{0,2}$/)
    await fc.assert(
      fc.asyncProperty(
        fc.array(text, { minLength: 1, maxLength: 4 }),
        fc.dictionary(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), text, { maxKeys: 4 }),
        fc.dictionary(fc.stringMatching(/^x-amz-meta-[a-z0-9-]{1,8}$/), headerValue, { maxKeys: 3 }),
        fc.boolean(),
        async (segments, query, headers, presign) => {
          const request = base(`/b/${segments.map(segment).join('/')}`, headers, query)
          const signed = presign
            ? await signer.presign(request, { signingDate: new Date(AT), expiresIn: 600 })
            : await signer.sign(request, { signingDate: new Date(AT) })
          expect(await outcome(received(signed))).toBe('ok')
          const { url } = received(signed)
          const tampered = { ...received(signed), url: `${url}${url.includes('?') ? '&' : '?'}added=1` }
          expect(await outcome(tampered)).toBe('SignatureDoesNotMatch')
        },
      ),
      { numRuns: 200 },
    )
  })

  it('accepts a presigned URL from @smithy presign and refuses it tampered', async () => {
    const presigned = await signer.presign(base('/b/k', {}, { 'response-content-type': 'text/plain' }), {
      signingDate: new Date(AT),
      expiresIn: 600,
    })
    const request = received(presigned)
    expect(await outcome(request)).toBe('ok')
    expect(await outcome({ ...request, url: request.url.replace('text%2Fplain', 'text%2Fhtml') })).toBe(
      'SignatureDoesNotMatch',
    )
    expect(await outcome({ ...request, method: 'PUT' })).toBe('SignatureDoesNotMatch')
    expect(await outcome(request, AT + 601_000)).toBe('AccessDenied')
  })

  it('checks a presigned URL used again for its expiry, its key, its host and its method', async () => {
    let secret: string | undefined = SECRET
    let now = AT
    const verify = createSigV4Verifier({ lookupSecret: async () => secret, now: () => now })
    const codeOf = (request: ReceivedRequest) =>
      verify(request).then(
        () => 'ok',
        (error: unknown) => (isS3Error(error) ? error.code : String(error)),
      )
    const request = received(
      await signer.presign(base('/b/k'), { signingDate: new Date(AT), expiresIn: 600 }),
    )
    expect(await codeOf(request)).toBe('ok')
    expect(await codeOf(request)).toBe('ok')
    expect(await codeOf({ ...request, headers: { ...request.headers, host: 'other.example' } })).toBe(
      'SignatureDoesNotMatch',
    )
    expect(await codeOf({ ...request, method: 'DELETE' })).toBe('SignatureDoesNotMatch')
    expect(
      await codeOf({ ...request, headers: { ...request.headers, authorization: 'AWS4-HMAC-SHA256 x' } }),
    ).toBe('InvalidArgument')
    expect(await codeOf({ ...request, headers: { ...request.headers, 'x-amz-security-token': 't' } })).toBe(
      'InvalidToken',
    )
    // An x-amz-* header it was not signed with (a copy source, metadata): refused, as on S3.
    expect(await codeOf({ ...request, headers: { ...request.headers, 'x-amz-copy-source': 'b/o' } })).toBe(
      'AccessDenied',
    )
    now = AT + 601_000
    expect(await codeOf(request)).toBe('AccessDenied')
    now = AT
    secret = 'another secret'
    expect(await codeOf(request)).toBe('SignatureDoesNotMatch')
    secret = undefined
    expect(await codeOf(request)).toBe('InvalidAccessKeyId')
    secret = SECRET
    expect(await codeOf(request)).toBe('ok')
  })

  it('refuses skewed clocks, other regions, unknown keys, unsigned x-amz headers and SigV2', async () => {
    const signed = received(await signer.sign(base('/b/k'), { signingDate: new Date(AT) }))
    expect(await outcome(signed, AT + 16 * 60_000)).toBe('RequestTimeTooSkewed')
    expect(await outcome(signed, AT - 16 * 60_000)).toBe('RequestTimeTooSkewed')
    expect(await outcome({ ...signed, headers: { ...signed.headers, 'x-amz-meta-added': '1' } })).toBe(
      'AccessDenied',
    )
    const elsewhere = received(
      await signer.sign(base('/b/k'), { signingDate: new Date(AT), signingRegion: 'eu-west-1' }),
    )
    expect(await outcome(elsewhere)).toBe('AuthorizationHeaderMalformed')
    const stranger = String(signed.headers.authorization).replace(AKID, 'AKIDNOTKNOWN')
    expect(await outcome({ ...signed, headers: { ...signed.headers, authorization: stranger } })).toBe(
      'InvalidAccessKeyId',
    )
    expect(
      await outcome({ ...signed, headers: { ...signed.headers, authorization: `AWS ${AKID}:c2lnbmF0dXJl` } }),
    ).toBe('InvalidRequest')
    expect(
      await outcome({
        method: 'GET',
        url: '/b/k?AWSAccessKeyId=A&Expires=1&Signature=x',
        headers: { host: 'h' },
      }),
    ).toBe('InvalidRequest')
    expect(await verifier()({ method: 'GET', url: '/b/k', headers: { host: 'h' } })).toBeUndefined()
  })

  it('never puts the secret, the signature or the string to sign in an error', async () => {
    const signed = received(await signer.sign(base('/b/k'), { signingDate: new Date(AT) }))
    const authorization = String(signed.headers.authorization)
    const forged = authorization.replace(/Signature=\w+/, `Signature=${'0'.repeat(64)}`)
    const error = await verifier()({
      ...signed,
      headers: { ...signed.headers, authorization: forged },
    }).catch((e: unknown) => e)
    expect(isS3Error(error, 'SignatureDoesNotMatch')).toBe(true)
    const text = JSON.stringify({
      message: (error as Error).message,
      details: (error as { details: unknown }).details,
    })
    for (const secret of [SECRET, authorization.slice(-64), '0'.repeat(64), 'AWS4-HMAC-SHA256\n'])
      expect(text).not.toContain(secret)
  })
})
