import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { createPresignedPost, type PresignedPostOptions } from '@aws-sdk/s3-presigned-post'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { FILENAME } from '../../src/s3/post-object.ts'
import { type Harness, json, rawRequest, startHarness, testStorages, VARIANTS } from '../harness.ts'
import { createS3Key, runBoto3, type S3Key, s3ClientOf } from './s3-test-clients.ts'

let harness: Harness
let admin: S3Key

// The POST path on every driver (the file's length is unknown until it ends: the S3 driver must
// stream it all the same); each suite sets the harness and key the helpers below use.
const storages = testStorages()

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** A presigned POST of the SDK, signed by `key` (the admin's by default). */
async function presign(
  options: Omit<PresignedPostOptions, 'Bucket'> & { Bucket?: string },
  key = admin,
  offset = 0,
) {
  const client = s3ClientOf(harness, key, { systemClockOffset: offset })
  return createPresignedPost(client, { Bucket: 'documents', ...options })
}

/** Posts a form as a browser does: the fields in order, then the file. */
async function post(
  url: string,
  fields: Record<string, string>,
  file: Uint8Array | string | undefined,
  filename = 'report.txt',
): Promise<Response> {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  if (file !== undefined)
    form.append('file', new Blob([typeof file === 'string' ? file : new Uint8Array(file)]), filename)
  return fetch(url, { method: 'POST', body: form, redirect: 'manual' })
}

/** The S3 error code of an answer. */
async function codeOf(response: Response): Promise<string> {
  return /<Code>([^<]+)<\/Code>/.exec(await response.text())?.[1] ?? `status ${response.status}`
}

/** The bytes the REST API serves for a key of `bucket`, or its status. */
async function restBytes(key: string, bucket = 'documents'): Promise<string | number> {
  const response = await harness.fetch(`/v1/buckets/${bucket}/objects/${encodeURIComponent(key)}`, {
    token: harness.admin,
  })
  return response.status === 200 ? sha256(Buffer.from(await response.arrayBuffer())) : response.status
}

describe.each(VARIANTS)(
  'browser POST uploads signed by the AWS SDK ($driver driver, $persistence index)',
  ({ driver, persistence }) => {
    beforeAll(async () => {
      if (!(await storages.ready(driver))) return
      harness = await storages.start(driver, persistence)
      admin = await createS3Key(harness, [{ bucket: '*', permissions: ['admin'] }])
    })
    afterAll(() => harness?.close())
    beforeEach(({ skip }) => storages.skipUnavailable(driver, skip))

    it('stores the file under the key with the file name in it, its metadata, and answers 201', async () => {
      const { url, fields } = await presign({
        Key: `up/${FILENAME}`,
        Conditions: [['content-length-range', 1, 8 * 1024 * 1024]],
        Fields: {
          success_action_status: '201',
          'x-amz-meta-who': 'zoe',
          'x-amz-meta-city': 'Zürich 日本',
          // Text that would read as other text if taken for Latin-1 header bytes: it must stay.
          'x-amz-meta-raw': 'Ã©',
          'Content-Type': 'text/plain',
        },
        Expires: 60,
      })
      const file = randomBytes(4 * 1024 * 1024)
      const response = await post(url, fields, file, 'report.txt')
      expect(response.status).toBe(201)
      const xml = await response.text()
      expect(xml).toContain('<Key>up/report.txt</Key>')
      expect(xml).toContain('<Bucket>documents</Bucket>')
      expect(response.headers.get('etag')).toBe(`"${createHash('md5').update(file).digest('hex')}"`)
      expect(await restBytes('up/report.txt')).toBe(sha256(file))
      const head = await harness.fetch('/v1/buckets/documents/objects/up%2Freport.txt', {
        method: 'HEAD',
        token: harness.admin,
      })
      expect(head.headers.get('x-coffer-meta-who')).toBe('zoe')
      // Form fields are UTF-8 text: stored as they are (the REST API sends the UTF-8 bytes).
      expect(Buffer.from(head.headers.get('x-coffer-meta-city') ?? '', 'latin1').toString()).toBe(
        'Zürich 日本',
      )
      const audit = await harness.db
        .selectFrom('audit_events')
        .select(['action', 'actor'])
        .where('key', '=', 'up/report.txt')
        .execute()
      expect(audit).toEqual([{ action: 'object.put', actor: `key:${admin.id}` }])
    })

    it('redirects to success_action_redirect with the bucket, key and ETag', async () => {
      const { url, fields } = await presign({
        Key: 'up/redirected.txt',
        Fields: { success_action_redirect: 'https://app.example/done?from=post' },
      })
      const response = await post(url, fields, 'hello')
      expect(response.status).toBe(303)
      const location = new URL(response.headers.get('location') ?? '')
      expect(location.origin + location.pathname).toBe('https://app.example/done')
      expect(Object.fromEntries(location.searchParams)).toEqual({
        from: 'post',
        bucket: 'documents',
        key: 'up/redirected.txt',
        etag: `"${createHash('md5').update('hello').digest('hex')}"`,
      })
    })

    it('answers with the status when the redirect is no URL', async () => {
      const { url, fields } = await presign({
        Key: 'up/not-redirected.txt',
        Fields: { success_action_redirect: 'http://[not a host' },
      })
      const response = await post(url, fields, 'hello')
      expect([response.status, response.headers.get('location')]).toEqual([
        204,
        `${url}/up/not-redirected.txt`,
      ])
    })

    it('refuses a tampered, an expired or an unsigned policy, storing nothing', async () => {
      const { url, fields } = await presign({
        Key: 'up/tampered.txt',
        Conditions: [['content-length-range', 0, 10]],
      })
      const document = JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString())
      document.conditions[0] = ['content-length-range', 0, 10_000_000]
      const tampered = { ...fields, Policy: Buffer.from(JSON.stringify(document)).toString('base64') }
      const refused = await post(url, tampered, 'x'.repeat(100))
      expect([refused.status, await codeOf(refused)]).toEqual([403, 'SignatureDoesNotMatch'])
      // Signed two hours ago for one minute: expired.
      const old = await presign({ Key: 'up/expired.txt', Expires: 60 }, admin, -2 * 3600 * 1000)
      const expired = await post(old.url, old.fields, 'x')
      expect(expired.status).toBe(403)
      expect(await expired.text()).toMatch(/<Code>AccessDenied<\/Code>.*Policy expired/s)
      const bare = await post(url, { key: 'up/unsigned.txt' }, 'x')
      expect([bare.status, await codeOf(bare)]).toEqual([403, 'AccessDenied'])
      for (const key of ['up/tampered.txt', 'up/expired.txt', 'up/unsigned.txt'])
        expect(await restBytes(key)).toBe(404)
    })

    it('refuses a file outside the content-length-range while it streams, storing nothing', async () => {
      const { url, fields } = await presign({
        Key: 'up/sized.bin',
        Conditions: [['content-length-range', 10, 1000]],
      })
      const large = await post(url, fields, randomBytes(2 * 1024 * 1024))
      expect([large.status, await codeOf(large)]).toEqual([400, 'EntityTooLarge'])
      const small = await post(url, fields, 'tiny')
      expect([small.status, await codeOf(small)]).toEqual([400, 'EntityTooSmall'])
      expect(await restBytes('up/sized.bin')).toBe(404)
      expect(await harness.stored('documents')).not.toContainEqual(expect.stringContaining('sized'))
      expect((await post(url, fields, 'just right')).status).toBe(204)
    })

    it('refuses a key outside the policy, a field it does not name, and a file name that climbs', async () => {
      const { url, fields } = await presign({ Key: `up/${FILENAME}` })
      const elsewhere = await post(url, { ...fields, key: 'private/x.txt' }, 'x')
      expect(await elsewhere.text()).toMatch(/<Code>AccessDenied<\/Code>.*starts-with/s)
      const extra = await post(url, { ...fields, 'x-amz-meta-sneaky': 'yes' }, 'x')
      expect(await extra.text()).toMatch(/<Code>AccessDenied<\/Code>.*Extra input fields: x-amz-meta-sneaky/s)
      const climbing = await post(url, fields, 'x', '../../escape.txt')
      // The form's file name loses its path (busboy keeps the base name), so it stays under up/.
      expect(climbing.status).toBe(204)
      expect(await restBytes('up/escape.txt')).toBe(sha256(Buffer.from('x')))
      const none = await post(url, fields, undefined)
      expect([none.status, await codeOf(none)]).toEqual([400, 'IncorrectNumberOfFilesInPostRequest'])
    })

    it("goes through the bucket layer: the key's scopes and the bucket's quota", async () => {
      const scoped = await createS3Key(harness, [
        { bucket: 'documents', prefix: 'up/', permissions: ['write'] },
      ])
      const outside = await presign({ Key: 'private/x.txt' }, scoped)
      const denied = await post(outside.url, outside.fields, 'x')
      expect([denied.status, await codeOf(denied)]).toEqual([403, 'AccessDenied'])
      const inside = await presign({ Key: 'up/scoped.txt' }, scoped)
      expect((await post(inside.url, inside.fields, 'x')).status).toBe(204)
      const textOnly = { name: 'texts', allowedTypes: ['text/plain'] }
      expect((await harness.fetch('/v1/buckets', json(textOnly, { token: harness.admin }))).status).toBe(201)
      const typed = await presign({ Bucket: 'texts', Key: 'a.png', Fields: { 'Content-Type': 'image/png' } })
      const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')
      const refusedType = await post(typed.url, typed.fields, png)
      expect([refusedType.status, await codeOf(refusedType)]).toEqual([403, 'AccessDenied'])
      expect(await restBytes('a.png', 'texts')).toBe(404)
      const created = await harness.fetch(
        '/v1/buckets',
        json({ name: 'tiny', quotaBytes: 100 }, { token: harness.admin }),
      )
      expect(created.status).toBe(201)
      const full = await presign({ Bucket: 'tiny', Key: 'big.bin' })
      const over = await post(full.url, full.fields, randomBytes(1000))
      expect([over.status, await codeOf(over)]).toEqual([403, 'QuotaExceeded'])
      expect(await restBytes('big.bin', 'tiny')).toBe(404)
    })
  },
)

describe.skipIf(!existsSync('/usr/bin/python3'))('a POST policy signed by boto3', () => {
  beforeAll(async () => {
    harness = await startHarness('sqlite')
    admin = await createS3Key(harness, [{ bucket: '*', permissions: ['admin'] }])
  })
  afterAll(() => harness?.close())

  it('uploads with generate_presigned_post and refuses a key outside it', async () => {
    // boto3 signs POST policies with SigV2 unless told s3v4: that one is refused, saying why.
    const script = `
v4 = boto3.client('s3', endpoint_url=sys.argv[1], config=Config(signature_version='s3v4'))
args = dict(Fields={'success_action_status': '201'}, ExpiresIn=60,
    Conditions=[{'success_action_status': '201'}, ['content-length-range', 1, 100]])
print(json.dumps([c.generate_presigned_post('documents', 'py/\${filename}', **args) for c in (v4, s3)]))
`
    type Post = { url: string; fields: Record<string, string> }
    const [{ url, fields }, v2] = (await runBoto3(harness.s3Url, admin, script)) as [Post, Post]
    const refused = await post(v2.url, v2.fields, 'x')
    expect(await refused.text()).toMatch(/<Code>InvalidRequest<\/Code>.*AWS4-HMAC-SHA256/s)
    const response = await post(url, fields, 'from boto3', 'b.txt')
    expect(response.status).toBe(201)
    expect(await restBytes('py/b.txt')).toBe(sha256(Buffer.from('from boto3')))
    const outside = await post(url, { ...fields, key: 'other/b.txt' }, 'x')
    expect([outside.status, await codeOf(outside)]).toEqual([403, 'AccessDenied'])
  })
})

describe('malformed POST forms', () => {
  let fields: Record<string, string>
  let url: string
  beforeAll(async () => {
    // A body that stops coming fails after this long: the cut-off form below does.
    harness = await startHarness('sqlite', { bodyIdleTimeout: 500 })
    admin = await createS3Key(harness, [{ bucket: '*', permissions: ['admin'] }])
    ;({ url, fields } = await presign({ Key: 'bad/x.txt' }))
  })
  afterAll(() => harness?.close())

  /** A multipart body of `parts` (name, value), as the bytes go on the wire. */
  const multipart = (boundary: string, parts: [string, string][], end = true) =>
    parts
      .map(
        ([name, value]) =>
          `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      )
      .join('') + (end ? `--${boundary}--\r\n` : '')

  it('answers each with its S3 code and stores nothing', async () => {
    const send = (body: string, type = 'multipart/form-data; boundary=b0undary') =>
      fetch(url, { method: 'POST', body, headers: { 'content-type': type } }).then(codeOf)
    expect(await send('garbage', 'multipart/form-data; charset=utf-8')).toBe('MalformedPOSTRequest')
    expect(await send(multipart('b0undary', Object.entries(fields)))).toBe(
      'IncorrectNumberOfFilesInPostRequest',
    )
    expect(await send(multipart('b0undary', [['key', 'x'.repeat(30_000)]]))).toBe(
      'MaxPostPreDataLengthExceededError',
    )
    const many = Array.from({ length: 70 }, (_, i): [string, string] => [`x-ignore-${i}`, 'v'])
    expect(await send(multipart('b0undary', many))).toBe('MaxPostPreDataLengthExceededError')
    const twice: [string, string][] = [...Object.entries(fields), ['KEY', 'bad/y.txt']]
    expect(await send(multipart('b0undary', twice))).toBe('InvalidArgument')
    // Stalled inside the file: the upload fails when the body stops coming, and leaves nothing.
    const cut = `${multipart('b0undary', [...Object.entries(fields)], false)}--b0undary\r\ncontent-disposition: form-data; name="file"; filename="x.txt"\r\n\r\npartial`
    const answer = await rawRequest(
      harness.s3Url,
      `POST /documents HTTP/1.1\r\nhost: x\r\ncontent-type: multipart/form-data; boundary=b0undary\r\ncontent-length: ${Buffer.byteLength(cut) + 100}\r\nconnection: close\r\n\r\n${cut}`,
    )
    expect(answer.status).toBe(400)
    expect(answer.text).toContain('<Code>RequestTimeout</Code>')
    expect(await restBytes('bad/x.txt')).toBe(404)
    expect(await harness.stored('documents')).toEqual([])
  })
})
