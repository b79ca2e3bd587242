import { PutObjectCommand } from '@aws-sdk/client-s3'
import { createPresignedPost } from '@aws-sdk/s3-presigned-post'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FILENAME } from '../../src/s3/post-object.ts'
import { type Harness, json, startHarness } from '../harness.ts'
import { type BrowserStage, createS3Key, s3ClientOf, startBrowserStage } from './s3-test-clients.ts'

/** Text as HTML attribute content. */
const attribute = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')

describe('a browser uploads with an HTML form and a presigned POST', () => {
  let harness: Harness
  let stage: BrowserStage
  let form = ''

  beforeAll(async () => {
    harness = await startHarness('sqlite')
    // The application's own origin: it serves the upload page and the page S3 redirects to.
    stage = await startBrowserStage((request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      response.end(request.url === '/form' ? form : '<!doctype html><title>done</title><p>uploaded</p>')
    })
  })
  afterAll(async () => {
    await stage?.close()
    await harness?.close()
  })

  it('stores the chosen file under the policy and comes back to the app', async () => {
    const key = await createS3Key(harness, [
      { bucket: 'documents', prefix: 'photos/', permissions: ['write'] },
    ])
    const { url, fields } = await createPresignedPost(s3ClientOf(harness, key), {
      Bucket: 'documents',
      Key: `photos/${FILENAME}`,
      Conditions: [['content-length-range', 1, 1024 * 1024]],
      Fields: { success_action_redirect: `${stage.url}/done`, 'Content-Type': 'text/plain' },
      Expires: 300,
    })
    const hidden = Object.entries(fields)
      .map(([name, value]) => `<input type="hidden" name="${attribute(name)}" value="${attribute(value)}">`)
      .join('\n')
    form = `<!doctype html><title>upload</title>
<form action="${attribute(url)}" method="post" enctype="multipart/form-data">
${hidden}
<input type="file" name="file"><button type="submit">Upload</button></form>`
    const page = await stage.browser.newPage()
    try {
      await page.goto(`${stage.url}/form`)
      await page.setInputFiles('input[type=file]', {
        name: 'holiday.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('sun and sea\n'),
      })
      await Promise.all([page.waitForURL(`${stage.url}/done?**`), page.click('button')])
      const back = new URL(page.url())
      expect(back.searchParams.get('bucket')).toBe('documents')
      expect(back.searchParams.get('key')).toBe('photos/holiday.txt')
      expect(await page.textContent('p')).toBe('uploaded')
    } finally {
      await page.close()
    }
    const stored = await harness.fetch('/v1/buckets/documents/objects/photos%2Fholiday.txt', {
      token: harness.admin,
    })
    expect(await stored.text()).toBe('sun and sea\n')
    expect(stored.headers.get('content-type')).toMatch(/^text\/plain/)
  })
  it("lets a page's script upload and read the answer only from an origin the bucket's CORS rule allows", async () => {
    const key = await createS3Key(harness, [
      { bucket: 'documents', prefix: 'photos/', permissions: ['write'] },
    ])
    const client = s3ClientOf(harness, key)
    const patch = json({ cors: { origins: [stage.url] } }, { method: 'PATCH', token: harness.admin })
    expect((await harness.fetch('/v1/buckets/documents', patch)).status).toBe(200)
    const { url, fields } = await createPresignedPost(client, {
      Bucket: 'documents',
      Key: 'photos/scripted.txt',
      Fields: { success_action_status: '201' },
    })
    const put = await getSignedUrl(
      client,
      new PutObjectCommand({ Bucket: 'documents', Key: 'photos/put.txt' }),
      {
        expiresIn: 300,
      },
    )
    /** In the page: a FormData POST and a presigned PUT, as upload libraries send them. */
    const upload = (args: { url: string; fields: Record<string, string>; put: string }) =>
      (async () => {
        const form = new FormData()
        for (const [name, value] of Object.entries(args.fields)) form.append(name, value)
        form.append('file', new Blob(['from a script']), 'x.txt')
        try {
          const posted = await fetch(args.url, { method: 'POST', body: form })
          const xml = await posted.text()
          const putted = await fetch(args.put, { method: 'PUT', body: 'put from a script' })
          return {
            post: posted.status,
            key: /<Key>(.*)<\/Key>/.exec(xml)?.[1],
            put: putted.status,
            etag: putted.headers.get('etag'),
          }
        } catch (error) {
          return { blocked: String(error) }
        }
      })()
    const page = await stage.browser.newPage()
    try {
      await page.goto(`${stage.url}/done`)
      const allowed = await page.evaluate(upload, { url, fields, put })
      expect(allowed).toMatchObject({ post: 201, key: 'photos/scripted.txt', put: 200 })
      expect((allowed as { etag?: string }).etag).toMatch(/^"[0-9a-f]{32}"$/)
      // Another origin (localhost is not 127.0.0.1 to a browser): its script reads nothing back.
      await page.goto(`${stage.url.replace('127.0.0.1', 'localhost')}/done`)
      expect(await page.evaluate(upload, { url, fields, put })).toMatchObject({
        blocked: expect.stringMatching(/fetch/i),
      })
    } finally {
      await page.close()
    }
    const stored = await harness.fetch('/v1/buckets/documents/objects/photos%2Fput.txt', {
      token: harness.admin,
    })
    expect(await stored.text()).toBe('put from a script')
  })
})
