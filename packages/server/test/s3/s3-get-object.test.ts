import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, startHarness } from '../harness.ts'
import { type BrowserStage, createS3Key, s3ClientOf, startBrowserStage } from './s3-test-clients.ts'

let harness: Harness
let s3: S3Client

beforeAll(async () => {
  harness = await startHarness('sqlite')
  s3 = s3ClientOf(harness, await createS3Key(harness, [{ bucket: '*', permissions: ['admin'] }]))
  await s3.send(
    new PutObjectCommand({
      Bucket: 'documents',
      Key: 'g/plain.txt',
      Body: 'hello',
      ContentType: 'text/plain',
    }),
  )
})
afterAll(() => harness?.close())

describe('GetObject response-* overrides', () => {
  it('answers with the headers a signed request asks for', async () => {
    const got = await s3.send(
      new GetObjectCommand({
        Bucket: 'documents',
        Key: 'g/plain.txt',
        ResponseContentType: 'application/json',
        ResponseContentDisposition: 'attachment; filename="report.json"',
        ResponseCacheControl: 'no-store',
        ResponseContentLanguage: 'fr',
        ResponseExpires: new Date('2030-01-01T00:00:00Z'),
        ResponseContentEncoding: 'identity',
      }),
    )
    expect(got.ContentType).toBe('application/json')
    expect(got.ContentDisposition).toBe('attachment; filename="report.json"')
    expect(got.CacheControl).toBe('no-store')
    expect(got.ContentLanguage).toBe('fr')
    expect(got.ExpiresString).toBe('Tue, 01 Jan 2030 00:00:00 GMT')
    expect(got.ContentEncoding).toBe('identity')
    expect(await got.Body?.transformToString()).toBe('hello')
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: 'documents', Key: 'g/plain.txt', ResponseCacheControl: 'max-age=5' }),
    )
    expect(head.CacheControl).toBe('max-age=5')
  })

  it('takes them from a presigned URL, and refuses them on anonymous requests', async () => {
    const command = new GetObjectCommand({
      Bucket: 'documents',
      Key: 'g/plain.txt',
      ResponseContentDisposition: 'attachment; filename="hello.txt"',
    })
    const url = await getSignedUrl(s3, command, { expiresIn: 60 })
    const response = await fetch(url)
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="hello.txt"')
    // A public bucket reads without a signature, but not with overrides, as on S3.
    expect(
      (await harness.fetch('/v1/buckets', json({ name: 'open', public: true }, { token: harness.admin })))
        .status,
    ).toBe(201)
    await s3.send(new PutObjectCommand({ Bucket: 'open', Key: 'a.txt', Body: 'open' }))
    expect((await fetch(`${harness.s3Url}/open/a.txt`)).status).toBe(200)
    const anonymous = await fetch(`${harness.s3Url}/open/a.txt?response-content-type=text/html`)
    expect(anonymous.status).toBe(400)
    expect(await anonymous.text()).toContain('<Code>InvalidRequest</Code>')
  })

  it('answers a stored HTML object, presigned, as an attachment under the sandbox', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: 'documents',
        Key: 'g/page.html',
        Body: '<script>1</script>',
        ContentType: 'text/html',
      }),
    )
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'documents', Key: 'g/page.html' }), {
      expiresIn: 60,
    })
    const response = await fetch(url)
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="page.html"/)
    expect(response.headers.get('content-security-policy')).toContain('sandbox')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
  })

  it('refuses a value that could end its header', async () => {
    const url = await getSignedUrl(
      s3,
      new GetObjectCommand({
        Bucket: 'documents',
        Key: 'g/plain.txt',
        ResponseCacheControl: 'x\r\nset-cookie: a=b',
      }),
      { expiresIn: 60 },
    )
    const response = await fetch(url)
    expect(response.status).toBe(400)
    expect(response.headers.get('set-cookie')).toBeNull()
    expect(await response.text()).toContain('<Code>InvalidArgument</Code>')
  })
})

describe('an HTML override in a browser', () => {
  const PAGE = '<!doctype html><title>x</title><script>fetch("PROBE/ran")</script>'
  let stage: BrowserStage
  const hits: string[] = []

  beforeAll(async () => {
    stage = await startBrowserStage((request, response) => {
      hits.push(request.url ?? '')
      // The control page: the same bytes, rendered inline as HTML, on the probe's own origin.
      const inline = request.url === '/control'
      response.writeHead(200, {
        'content-type': inline ? 'text/html' : 'text/plain',
        'access-control-allow-origin': '*',
      })
      response.end(inline ? PAGE.replace('PROBE', stage.url) : 'ok')
    })
  })
  afterAll(() => stage?.close())

  it('cannot make the S3 origin run an object as a page', async () => {
    const body = PAGE.replace('PROBE', stage.url)
    await s3.send(
      new PutObjectCommand({ Bucket: 'documents', Key: 'g/page.txt', Body: body, ContentType: 'text/plain' }),
    )
    const url = await getSignedUrl(
      s3,
      new GetObjectCommand({
        Bucket: 'documents',
        Key: 'g/page.txt',
        ResponseContentType: 'text/html',
        ResponseContentDisposition: 'inline',
      }),
      { expiresIn: 60 },
    )
    const headers = (await fetch(url)).headers
    expect(headers.get('content-type')).toMatch(/^text\/html/)
    expect(headers.get('content-disposition')).toMatch(/^attachment/)
    expect(headers.get('content-security-policy')).toContain('sandbox')
    expect(headers.get('x-content-type-options')).toBe('nosniff')
    const page = await stage.browser.newPage()
    try {
      // The control: the same page, rendered inline elsewhere, does reach the probe.
      await page.goto(`${stage.url}/control`)
      await expect.poll(() => hits.includes('/ran')).toBe(true)
      hits.length = 0
      // An attachment is a download: Chromium does not render it, so its script never runs.
      const navigation = await page.goto(url).then(
        () => 'rendered',
        (error: Error) => error.message,
      )
      expect(navigation).toMatch(/download/i)
      await page.goto(`${stage.url}/after`)
      // Chromium asks each page's origin for its icon whenever it likes: that is not the script.
      expect(hits.filter((hit) => hit !== '/favicon.ico')).toEqual(['/after'])
    } finally {
      await page.close()
    }
  })
})

describe('GetObject and HeadObject with partNumber', () => {
  it('serves part 1 of an object not uploaded in parts as all of it, and no other part', async () => {
    const got = await s3.send(
      new GetObjectCommand({ Bucket: 'documents', Key: 'g/plain.txt', PartNumber: 1 }),
    )
    expect(got.$metadata.httpStatusCode).toBe(206)
    expect(got.ContentRange).toBe('bytes 0-4/5')
    expect(await got.Body?.transformToString()).toBe('hello')
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: 'documents', Key: 'g/plain.txt', PartNumber: 1 }),
    )
    expect(head.ContentLength).toBe(5)
    expect(head.ContentRange).toBe('bytes 0-4/5')
    const second = await s3
      .send(new GetObjectCommand({ Bucket: 'documents', Key: 'g/plain.txt', PartNumber: 2 }))
      .catch((e) => e)
    expect([second.name, second.$metadata.httpStatusCode]).toEqual(['InvalidPart', 400])
    const both = await s3
      .send(
        new GetObjectCommand({ Bucket: 'documents', Key: 'g/plain.txt', PartNumber: 1, Range: 'bytes=0-1' }),
      )
      .catch((e) => e)
    expect(both.name).toBe('InvalidRequest')
    const zero = await s3
      .send(new GetObjectCommand({ Bucket: 'documents', Key: 'g/plain.txt', PartNumber: 0 }))
      .catch((e) => e)
    expect(zero.name).toBe('InvalidArgument')
  })
})
