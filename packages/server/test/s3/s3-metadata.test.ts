import { existsSync } from 'node:fs'
import { CopyObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import libmime from 'libmime'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from '../harness.ts'
import { createS3Key, runBoto3, type S3Key, s3ClientOf } from './s3-test-clients.ts'

const TEXT = 'Zoë — 日本語 ✓'
/** How S3 clients carry non-ASCII metadata over ASCII-only HTTP stacks: one RFC 2047 word. */
const WORD = libmime.encodeWord(TEXT, 'B', 0)

let harness: Harness
let key: S3Key
let s3: S3Client

beforeAll(async () => {
  harness = await startHarness('sqlite')
  key = await createS3Key(harness, [{ bucket: '*', permissions: ['admin'] }])
  s3 = s3ClientOf(harness, key)
})
afterAll(() => harness?.close())

/** The metadata value the REST API shows for a key of `documents` (UTF-8 bytes, read as text). */
async function restMeta(objectKey: string, name: string): Promise<string | null> {
  const response = await harness.fetch(`/v1/buckets/documents/objects/${encodeURIComponent(objectKey)}`, {
    method: 'HEAD',
    token: harness.admin,
  })
  const value = response.headers.get(`x-coffer-meta-${name}`)
  return value === null ? null : Buffer.from(value, 'latin1').toString('utf8')
}

describe('non-ASCII metadata through the AWS SDK', () => {
  it('stores RFC 2047 words as their text and answers with them encoded, as S3 does', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: 'documents',
        Key: 'm/one',
        Body: 'x',
        Metadata: { who: WORD, plain: 'ascii' },
      }),
    )
    expect(await restMeta('m/one', 'who')).toBe(TEXT)
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'documents', Key: 'm/one' }))
    expect(head.Metadata).toEqual({ who: WORD, plain: 'ascii' })
    expect(libmime.decodeWords(head.Metadata?.who)).toBe(TEXT)
    // Raw non-ASCII is signed as UTF-8 by the SDK but sent as Latin-1 bytes: S3 itself answers
    // SignatureDoesNotMatch (aws/aws-sdk#795), and so does this endpoint, rather than guess.
    const raw = await s3
      .send(
        new PutObjectCommand({ Bucket: 'documents', Key: 'm/two', Body: 'x', Metadata: { city: 'Zürich' } }),
      )
      .catch((e) => e)
    expect(raw.name).toBe('SignatureDoesNotMatch')
    // REPLACE reads the copy's metadata the same way.
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'documents',
        Key: 'm/three',
        CopySource: 'documents/m/one',
        MetadataDirective: 'REPLACE',
        Metadata: { who: libmime.encodeWord('ça va', 'Q', 0) },
      }),
    )
    expect(await restMeta('m/three', 'who')).toBe('ça va')
  })

  it('refuses a word that decodes to control characters', async () => {
    const bad = libmime.encodeWord('a\r\nb', 'B', 0)
    const error = await s3
      .send(new PutObjectCommand({ Bucket: 'documents', Key: 'm/bad', Body: 'x', Metadata: { x: bad } }))
      .catch((e) => e)
    expect(error.name).toBe('InvalidArgument')
  })
})

describe.skipIf(!existsSync('/usr/bin/python3'))('non-ASCII metadata through boto3', () => {
  it('round-trips an RFC 2047 word', async () => {
    const script = `
s3.put_object(Bucket='documents', Key='m/py', Body=b'py', Metadata={'who': sys.argv[2]})
print(json.dumps(s3.head_object(Bucket='documents', Key='m/py')['Metadata']))
`
    expect(await runBoto3(harness.s3Url, key, script, WORD)).toEqual({ who: WORD })
    expect(await restMeta('m/py', 'who')).toBe(TEXT)
  })
})
