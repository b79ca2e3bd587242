import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import {
  GetObjectAttributesCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from '../harness.ts'
import { createS3Key, runBoto3, type S3Key, s3ClientOf } from './s3-test-clients.ts'

let harness: Harness
let key: S3Key
let s3: S3Client
const KEYS = ['v/a', 'v/b', 'v/c', 'v/d/1', 'v/d/2', 'v/e']

beforeAll(async () => {
  harness = await startHarness('sqlite')
  key = await createS3Key(harness, [{ bucket: '*', permissions: ['admin'] }])
  s3 = s3ClientOf(harness, key)
  for (const name of KEYS) await s3.send(new PutObjectCommand({ Bucket: 'documents', Key: name, Body: name }))
})
afterAll(() => harness?.close())

describe('ListObjectVersions of an unversioned store', () => {
  it('lists each object once as its null, latest version, paged by key marker', async () => {
    const seen: string[] = []
    let keyMarker: string | undefined
    let pages = 0
    for (; pages < 10; pages += 1) {
      const page = await s3.send(
        new ListObjectVersionsCommand({
          Bucket: 'documents',
          Prefix: 'v/',
          MaxKeys: 2,
          KeyMarker: keyMarker,
        }),
      )
      for (const version of page.Versions ?? []) {
        expect(version).toMatchObject({ VersionId: 'null', IsLatest: true, StorageClass: 'STANDARD' })
        expect(version.Size).toBe(version.Key?.length)
        seen.push(version.Key ?? '')
      }
      expect(page.DeleteMarkers).toBeUndefined()
      if (!page.IsTruncated) break
      expect(page.NextVersionIdMarker).toBe('null')
      keyMarker = page.NextKeyMarker
    }
    expect(seen).toEqual(KEYS)
    // Six keys, two a page: the third page is the last.
    expect(pages + 1).toBe(3)
  })

  it('groups by delimiter and refuses a version marker that cannot exist', async () => {
    const page = await s3.send(
      new ListObjectVersionsCommand({ Bucket: 'documents', Prefix: 'v/', Delimiter: '/' }),
    )
    expect(page.Versions?.map((v) => v.Key)).toEqual(['v/a', 'v/b', 'v/c', 'v/e'])
    expect(page.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['v/d/'])
    const bad = await s3
      .send(new ListObjectVersionsCommand({ Bucket: 'documents', KeyMarker: 'v/a', VersionIdMarker: 'abc' }))
      .catch((e) => e)
    expect(bad.name).toBe('InvalidArgument')
  })
})

describe('version ids of an unversioned store', () => {
  it('reads the current object as version null and no other', async () => {
    const got = await s3.send(new GetObjectCommand({ Bucket: 'documents', Key: 'v/a', VersionId: 'null' }))
    expect(await got.Body?.transformToString()).toBe('v/a')
    const other = await s3
      .send(
        new HeadObjectCommand({
          Bucket: 'documents',
          Key: 'v/a',
          VersionId: '3HL4kqtJlcpXroDTDmjVBH40Nrjfkd',
        }),
      )
      .catch((e) => e)
    expect(other.$metadata.httpStatusCode).toBe(404)
    const tagging = await s3
      .send(new GetObjectTaggingCommand({ Bucket: 'documents', Key: 'v/a', VersionId: 'abc' }))
      .catch((e) => e)
    expect(tagging.name).toBe('NoSuchVersion')
  })
})

describe('GetObjectAttributes', () => {
  it('answers the ETag, size, storage class, SHA-256 and no parts', async () => {
    const body = Buffer.from('attributes of an object')
    // Written without an S3 checksum (the SDK sends a CRC32 by default, which would be the answer).
    const response = await harness.fetch('/v1/buckets/documents/objects/attr/one', {
      method: 'PUT',
      token: harness.admin,
      body,
    })
    const put = { ETag: response.headers.get('etag') ?? undefined }
    const got = await s3.send(
      new GetObjectAttributesCommand({
        Bucket: 'documents',
        Key: 'attr/one',
        ObjectAttributes: ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'],
      }),
    )
    expect(got.ETag).toBe(put.ETag?.replaceAll('"', ''))
    expect(got.ObjectSize).toBe(body.length)
    expect(got.StorageClass).toBe('STANDARD')
    expect(got.Checksum?.ChecksumSHA256).toBe(createHash('sha256').update(body).digest('base64'))
    expect(got.ObjectParts?.Parts).toBeUndefined()
    expect(got.LastModified).toBeInstanceOf(Date)
    const some = await s3.send(
      new GetObjectAttributesCommand({
        Bucket: 'documents',
        Key: 'attr/one',
        ObjectAttributes: ['ObjectSize'],
      }),
    )
    expect([some.ObjectSize, some.ETag]).toEqual([body.length, undefined])
    const missing = await s3
      .send(
        new GetObjectAttributesCommand({ Bucket: 'documents', Key: 'attr/none', ObjectAttributes: ['ETag'] }),
      )
      .catch((e) => e)
    expect(missing.name).toBe('NoSuchKey')
  })
})

describe.skipIf(!existsSync('/usr/bin/python3'))('boto3', () => {
  it('pages versions and reads attributes', async () => {
    const script = `
keys = []
for page in s3.get_paginator('list_object_versions').paginate(Bucket='documents', Prefix='v/', PaginationConfig={'PageSize': 4}):
    keys += [(v['Key'], v['VersionId']) for v in page.get('Versions', [])]
attrs = s3.get_object_attributes(Bucket='documents', Key='v/a', ObjectAttributes=['ObjectSize', 'StorageClass'])
print(json.dumps({'keys': keys, 'size': attrs['ObjectSize'], 'class': attrs['StorageClass']}))
`
    expect(await runBoto3(harness.s3Url, key, script)).toEqual({
      keys: KEYS.map((k) => [k, 'null']),
      size: 3,
      class: 'STANDARD',
    })
  })
})
