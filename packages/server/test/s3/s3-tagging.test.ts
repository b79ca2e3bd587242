import { existsSync } from 'node:fs'
import {
  CopyObjectCommand,
  DeleteObjectTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
  type Tag,
} from '@aws-sdk/client-s3'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type Harness, testStorages, VARIANTS } from '../harness.ts'
import { createS3Key, runBoto3, type S3Key, s3ClientOf } from './s3-test-clients.ts'

/** The outcome of a call: the S3 error's name, or 'ok'. */
const outcome = (run: Promise<unknown>) =>
  run.then(
    () => 'ok',
    (error: { name: string }) => error.name,
  )

// On every driver: the S3 driver's ETags must match between a write and a later stat for tagging.
const storages = testStorages()

describe.each(VARIANTS)('object tagging ($driver driver, $persistence index)', ({ driver, persistence }) => {
  let harness: Harness
  let key: S3Key
  let s3: S3Client
  const tagsOf = async (Key: string) =>
    (await s3.send(new GetObjectTaggingCommand({ Bucket: 'documents', Key }))).TagSet ?? []

  beforeAll(async () => {
    if (!(await storages.ready(driver))) return
    harness = await storages.start(driver, persistence)
    key = await createS3Key(harness, [{ bucket: '*', permissions: ['admin'] }])
    s3 = s3ClientOf(harness, key)
  })
  afterAll(() => harness?.close())
  beforeEach(({ skip }) => storages.skipUnavailable(driver, skip))

  it('tags on PUT, replaces and deletes tags without touching the object, and a new write drops them', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: 'documents',
        Key: 't/one',
        Body: 'one',
        Tagging: 'team=blue&note=two%20words',
      }),
    )
    expect(await tagsOf('t/one')).toEqual([
      { Key: 'team', Value: 'blue' },
      { Key: 'note', Value: 'two words' },
    ])
    const before = await s3.send(new HeadObjectCommand({ Bucket: 'documents', Key: 't/one' }))
    // A read says how many tags there are, as S3 does (x-amz-tagging-count).
    const read = await s3.send(new GetObjectCommand({ Bucket: 'documents', Key: 't/one' }))
    expect(read.TagCount).toBe(2)
    await read.Body?.transformToString()
    const TagSet: Tag[] = [
      { Key: 'ünï code', Value: 'ja 日本 +-=._:/@' },
      { Key: 'empty', Value: '' },
    ]
    await s3.send(new PutObjectTaggingCommand({ Bucket: 'documents', Key: 't/one', Tagging: { TagSet } }))
    expect(await tagsOf('t/one')).toEqual(TagSet)
    const after = await s3.send(new HeadObjectCommand({ Bucket: 'documents', Key: 't/one' }))
    expect([after.ETag, after.LastModified]).toEqual([before.ETag, before.LastModified])
    await s3.send(new DeleteObjectTaggingCommand({ Bucket: 'documents', Key: 't/one' }))
    expect(await tagsOf('t/one')).toEqual([])
    await s3.send(new PutObjectTaggingCommand({ Bucket: 'documents', Key: 't/one', Tagging: { TagSet } }))
    await s3.send(new PutObjectCommand({ Bucket: 'documents', Key: 't/one', Body: 'again' }))
    expect(await tagsOf('t/one')).toEqual([])
    const untagged = await s3.send(new GetObjectCommand({ Bucket: 'documents', Key: 't/one' }))
    expect(untagged.TagCount).toBeUndefined()
    await untagged.Body?.transformToString()
    const audit = await harness.db
      .selectFrom('audit_events')
      .select('action')
      .where('key', '=', 't/one')
      .where('action', 'in', ['object.tag', 'object.untag'])
      .orderBy('id')
      .execute()
    expect(audit.map((row) => row.action)).toEqual(['object.tag', 'object.tag', 'object.untag', 'object.tag'])
  })

  it('copies tags with the COPY directive and takes new ones with REPLACE', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'documents', Key: 't/src', Body: 'src', Tagging: 'a=1' }))
    await s3.send(
      new CopyObjectCommand({ Bucket: 'documents', Key: 't/copy', CopySource: 'documents/t/src' }),
    )
    expect(await tagsOf('t/copy')).toEqual([{ Key: 'a', Value: '1' }])
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'documents',
        Key: 't/replaced',
        CopySource: 'documents/t/src',
        TaggingDirective: 'REPLACE',
        Tagging: 'b=2',
      }),
    )
    expect(await tagsOf('t/replaced')).toEqual([{ Key: 'b', Value: '2' }])
  })

  it("keeps S3's limits: 10 tags, keys of 128 and values of 256 characters, unique keys", async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'documents', Key: 't/limits', Body: 'x' }))
    const put = (TagSet: Tag[]) =>
      outcome(
        s3.send(new PutObjectTaggingCommand({ Bucket: 'documents', Key: 't/limits', Tagging: { TagSet } })),
      )
    const ten = Array.from({ length: 10 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }))
    expect(await put(ten)).toBe('ok')
    expect(await put([...ten, { Key: 'k10', Value: 'v' }])).toBe('InvalidTag')
    expect(await put([{ Key: 'é'.repeat(128), Value: 'ü'.repeat(256) }])).toBe('ok')
    expect(await put([{ Key: 'k'.repeat(129), Value: '' }])).toBe('InvalidTag')
    expect(await put([{ Key: 'k', Value: 'v'.repeat(257) }])).toBe('InvalidTag')
    expect(await put([{ Key: 'k', Value: '<script>' }])).toBe('InvalidTag')
    expect(await put([{ Key: 'aws:reserved', Value: 'v' }])).toBe('InvalidTag')
    expect(
      await put([
        { Key: 'same', Value: '1' },
        { Key: 'same', Value: '2' },
      ]),
    ).toBe('InvalidTag')
    // What was refused changed nothing.
    expect(await tagsOf('t/limits')).toEqual([{ Key: 'é'.repeat(128), Value: 'ü'.repeat(256) }])
    // A PUT whose x-amz-tagging breaks a rule stores nothing at all.
    const tagging = Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&')
    expect(
      await outcome(
        s3.send(new PutObjectCommand({ Bucket: 'documents', Key: 't/refused', Body: 'x', Tagging: tagging })),
      ),
    ).toBe('InvalidTag')
    expect(
      (await harness.fetch('/v1/buckets/documents/objects/t%2Frefused', { token: harness.admin })).status,
    ).toBe(404)
  })

  it('answers NoSuchKey for a missing object and AccessDenied to a read-only key', async () => {
    expect(await outcome(s3.send(new GetObjectTaggingCommand({ Bucket: 'documents', Key: 't/none' })))).toBe(
      'NoSuchKey',
    )
    const reader = s3ClientOf(
      harness,
      await createS3Key(harness, [{ bucket: 'documents', permissions: ['read'] }]),
    )
    await s3.send(new PutObjectCommand({ Bucket: 'documents', Key: 't/ro', Body: 'x', Tagging: 'a=1' }))
    expect(
      await outcome(reader.send(new GetObjectTaggingCommand({ Bucket: 'documents', Key: 't/ro' }))),
    ).toBe('ok')
    const change = new PutObjectTaggingCommand({ Bucket: 'documents', Key: 't/ro', Tagging: { TagSet: [] } })
    expect(await outcome(reader.send(change))).toBe('AccessDenied')
    expect(
      await outcome(reader.send(new DeleteObjectTaggingCommand({ Bucket: 'documents', Key: 't/ro' }))),
    ).toBe('AccessDenied')
    expect(await tagsOf('t/ro')).toEqual([{ Key: 'a', Value: '1' }])
  })

  it.skipIf(!existsSync('/usr/bin/python3'))('works with boto3', async () => {
    const script = `
s3.put_object(Bucket='documents', Key='t/py', Body=b'py', Tagging='from=boto3')
s3.put_object_tagging(Bucket='documents', Key='t/py', Tagging={'TagSet': s3.get_object_tagging(Bucket='documents', Key='t/py')['TagSet'] + [{'Key': 'more', 'Value': 'yes'}]})
print(json.dumps(s3.get_object_tagging(Bucket='documents', Key='t/py')['TagSet']))
`
    expect(await runBoto3(harness.s3Url, key, script)).toEqual([
      { Key: 'from', Value: 'boto3' },
      { Key: 'more', Value: 'yes' },
    ])
  })
})
