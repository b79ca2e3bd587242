import { StorageError } from '@coffer/core'
import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { s3ErrorOf } from '../../src/s3/s3-error-of.ts'
import { parseCreateBucketConfiguration, parseDeleteObjects } from '../../src/s3/s3-requests.ts'
import {
  deleteResultXml,
  listBucketsXml,
  listObjectsV1Xml,
  listObjectsV2Xml,
  locationXml,
} from '../../src/s3/s3-results.ts'
import { s3CodeOf } from './s3-test-clients.ts'

const reader = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  isArray: (name) => ['Contents', 'CommonPrefixes', 'Bucket', 'Deleted', 'Error'].includes(name),
})
const at = new Date('2026-01-02T03:04:05.000Z')
const owner = { id: 'coffer', displayName: 'coffer' }
const page = {
  bucket: 'docs',
  prefix: 'a b/',
  delimiter: '/',
  maxKeys: 2,
  objects: [{ key: 'a b/ü&<x>.txt', lastModified: at, etag: 'abc', size: 12 }],
  commonPrefixes: ['a b/sub/'],
  isTruncated: true,
  urlEncoded: false,
}

describe('S3 result documents', () => {
  it('lists buckets as ListAllMyBucketsResult', () => {
    const doc = reader.parse(listBucketsXml([{ name: 'docs', created: at }], owner)).ListAllMyBucketsResult
    expect(doc.Buckets.Bucket).toEqual([{ Name: 'docs', CreationDate: '2026-01-02T03:04:05.000Z' }])
    expect(doc.Owner).toEqual({ ID: 'coffer', DisplayName: 'coffer' })
  })

  it('lists objects as ListObjectsV2 and V1 do, url-encoded when asked', () => {
    const v2 = reader.parse(listObjectsV2Xml(page, { nextContinuationToken: 'tok' })).ListBucketResult
    expect(v2).toMatchObject({
      Name: 'docs',
      Prefix: 'a b/',
      KeyCount: '2',
      IsTruncated: 'true',
      NextContinuationToken: 'tok',
    })
    expect(v2.Contents).toEqual([
      {
        Key: 'a b/ü&<x>.txt',
        LastModified: '2026-01-02T03:04:05.000Z',
        ETag: '"abc"',
        Size: '12',
        StorageClass: 'STANDARD',
      },
    ])
    expect(v2.CommonPrefixes).toEqual([{ Prefix: 'a b/sub/' }])
    const encoded = reader.parse(listObjectsV2Xml({ ...page, urlEncoded: true }, {})).ListBucketResult
    expect(encoded).toMatchObject({ EncodingType: 'url', Prefix: 'a%20b/' })
    expect(decodeURIComponent(encoded.Contents[0].Key)).toBe('a b/ü&<x>.txt')
    const v1 = reader.parse(
      listObjectsV1Xml({ ...page, owner }, { marker: '', nextMarker: 'a b/sub/' }),
    ).ListBucketResult
    expect(v1).toMatchObject({ Marker: '', NextMarker: 'a b/sub/', MaxKeys: '2' })
    expect(v1.Contents[0].Owner).toEqual({ ID: 'coffer', DisplayName: 'coffer' })
  })

  it('reports deletions, quietly when asked, and the region', () => {
    const failure = { key: 'k2', code: 'AccessDenied', message: 'Access Denied' }
    expect(reader.parse(deleteResultXml(['k1'], [failure], false)).DeleteResult).toMatchObject({
      Deleted: [{ Key: 'k1' }],
      Error: [{ Key: 'k2', Code: 'AccessDenied' }],
    })
    expect(reader.parse(deleteResultXml(['k1'], [], true)).DeleteResult.Deleted).toBeUndefined()
    expect(locationXml('us-east-1')).toContain(
      '<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></LocationConstraint>',
    )
    expect(reader.parse(locationXml('eu-west-1')).LocationConstraint['#text']).toBe('eu-west-1')
  })
})

const codeOf = s3CodeOf

describe('S3 request documents', () => {
  it('reads DeleteObjects bodies, keys as strings, within S3 limits', () => {
    const body =
      '<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet><Object><Key>007</Key></Object><Object><Key>a&amp;b</Key><VersionId>null</VersionId></Object></Delete>'
    expect(parseDeleteObjects(body)).toEqual({ keys: ['007', 'a&b'], quiet: true })
    const many = `<Delete>${'<Object><Key>k</Key></Object>'.repeat(1001)}</Delete>`
    for (const bad of [
      many,
      '<Delete></Delete>',
      '<Delete><Object><Key></Key></Object></Delete>',
      '<Delete><Quiet>yes</Quiet><Object><Key>k</Key></Object></Delete>',
      'not xml',
    ]) {
      expect(
        codeOf(() => parseDeleteObjects(bad)),
        bad.slice(0, 40),
      ).toBe('MalformedXML')
    }
  })

  it('reads CreateBucket configurations', () => {
    expect(parseCreateBucketConfiguration('')).toBeUndefined()
    expect(
      parseCreateBucketConfiguration(
        '<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>',
      ),
    ).toBe('eu-west-1')
    expect(codeOf(() => parseCreateBucketConfiguration('<Other/>'))).toBe('MalformedXML')
  })
})

describe('lower-layer failures as S3 errors', () => {
  it('picks the S3 code by subject and hides what a 5xx was about', () => {
    expect(s3ErrorOf(new StorageError('NotFound', 'no object "k"'), 'object')).toMatchObject({
      code: 'NoSuchKey',
      status: 404,
    })
    expect(s3ErrorOf(new StorageError('NotFound', 'no bucket'), 'bucket')).toMatchObject({
      code: 'NoSuchBucket',
    })
    expect(s3ErrorOf(new StorageError('AlreadyExists', 'exists'), 'bucket')).toMatchObject({
      code: 'BucketAlreadyOwnedByYou',
      status: 409,
    })
    expect(s3ErrorOf(new StorageError('TooLarge', 'over the 1 MiB limit'), 'object')).toMatchObject({
      code: 'EntityTooLarge',
      message: 'over the 1 MiB limit',
    })
    expect(s3ErrorOf(new StorageError('QuotaExceeded', 'quota'), 'object')).toMatchObject({
      code: 'QuotaExceeded',
      status: 403,
    })
    expect(s3ErrorOf(new StorageError('Unavailable', 'backend at 10.0.0.1 down'), 'object')).toMatchObject({
      code: 'ServiceUnavailable',
      message: 'We encountered an internal error. Please try again.',
    })
    expect(s3ErrorOf(new Error('/var/data/secret path'), 'object')).toMatchObject({
      code: 'InternalError',
      status: 500,
    })
  })
})
