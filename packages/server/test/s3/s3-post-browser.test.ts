import { createPresignedPost } from '@aws-sdk/s3-presigned-post'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FILENAME } from '../../src/s3/post-object.ts'
import { type Harness, startHarness } from '../harness.ts'
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
})
