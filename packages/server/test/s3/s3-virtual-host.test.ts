import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bucketOfHost } from '../../src/s3/virtual-host.ts'
import { type Harness, startHarness } from '../harness.ts'
import { awsEnv, createS3Key, PY_LOOPBACK, runClient, type S3Key, s3ClientOf } from './s3-test-clients.ts'

const DOMAIN = 's3.localhost'
let harness: Harness
let key: S3Key
/** The endpoint under the S3 domain, e.g. `http://s3.localhost:41234`. */
let endpoint: string

beforeAll(async () => {
  harness = await startHarness('sqlite', { s3Domain: DOMAIN })
  key = await createS3Key(harness, [{ bucket: '*', permissions: ['admin'] }])
  endpoint = `http://${DOMAIN}:${new URL(harness.s3Url).port}`
})
afterAll(() => harness?.close())

describe('the bucket of a virtual-host request', () => {
  it('is the labels before the domain, with or without a port, in any case', () => {
    expect(bucketOfHost('docs.s3.localhost', DOMAIN)).toBe('docs')
    expect(bucketOfHost('Docs.S3.Localhost:7375', DOMAIN)).toBe('docs')
    expect(bucketOfHost('my.bucket.s3.localhost.', DOMAIN)).toBe('my.bucket')
    expect(bucketOfHost('s3.localhost:7375', DOMAIN)).toBeUndefined()
    expect(bucketOfHost('127.0.0.1:7375', DOMAIN)).toBeUndefined()
    expect(bucketOfHost('[::1]:7375', DOMAIN)).toBeUndefined()
    expect(bucketOfHost('evil-s3.localhost', DOMAIN)).toBeUndefined()
    expect(bucketOfHost('docs.s3.localhost', undefined)).toBeUndefined()
  })
})

describe('virtual-host style with the AWS SDK', () => {
  const virtual = (): S3Client => s3ClientOf(harness, key, { endpoint, forcePathStyle: false })

  it('puts, lists and gets with the bucket in the host; path style keeps working', async () => {
    const s3 = virtual()
    await s3.send(new HeadBucketCommand({ Bucket: 'documents' }))
    await s3.send(new PutObjectCommand({ Bucket: 'documents', Key: 'vh/a b.txt', Body: 'virtual' }))
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'documents', Prefix: 'vh/' }))
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['vh/a b.txt'])
    const got = await s3.send(new GetObjectCommand({ Bucket: 'documents', Key: 'vh/a b.txt' }))
    expect(await got.Body?.transformToString()).toBe('virtual')
    // The same object, path style, at the plain endpoint and at the domain itself.
    for (const config of [{}, { endpoint }]) {
      const path = s3ClientOf(harness, key, config)
      const again = await path.send(new GetObjectCommand({ Bucket: 'documents', Key: 'vh/a b.txt' }))
      expect(await again.Body?.transformToString()).toBe('virtual')
    }
    // And through the REST API: the write went through the bucket layer.
    const rest = await harness.fetch('/v1/buckets/documents/objects/vh%2Fa%20b.txt', { token: harness.admin })
    expect(await rest.text()).toBe('virtual')
  })

  it('answers NoSuchKey and NoSuchBucket for what the host and path name', async () => {
    const s3 = virtual()
    const missing = await s3
      .send(new GetObjectCommand({ Bucket: 'documents', Key: 'vh/none' }))
      .catch((e) => e)
    expect(missing.name).toBe('NoSuchKey')
    const noBucket = await s3.send(new ListObjectsV2Command({ Bucket: 'nothere' })).catch((e) => e)
    expect(noBucket.name).toBe('NoSuchBucket')
  })
})

const hasAws = existsSync('/usr/bin/aws')

describe.skipIf(!hasAws)('virtual-host style with aws-cli', () => {
  it('copies up and down and lists with addressing_style = virtual', async () => {
    const home = await mkdtemp(join(tmpdir(), 'coffer-s3-vhost-'))
    try {
      await writeFile(join(home, 'aws-config'), '[default]\ns3 =\n  addressing_style = virtual\n')
      await writeFile(join(home, 'up.txt'), 'from aws-cli\n')
      const env = awsEnv(home, key, join(home, 'aws-config'))
      // Debian's aws, its resolver told that *.localhost is loopback (RFC 6761), as a browser knows.
      const aws = (...args: string[]) =>
        runClient(
          '/usr/bin/python3',
          ['-c', `${PY_LOOPBACK}\nimport sys, awscli.clidriver\nsys.exit(awscli.clidriver.main())`, ...args],
          env,
        )
      const up = await aws(
        '--endpoint-url',
        endpoint,
        '--debug',
        's3',
        'cp',
        join(home, 'up.txt'),
        's3://documents/vh/cli.txt',
      )
      expect(up.code, up.stderr.slice(-2000)).toBe(0)
      // The debug log shows the request went to the bucket's host, not to a path-style URL.
      expect(up.stderr).toMatch(/documents\.s3\.localhost:\d+\/vh\/cli\.txt/)
      const ls = await aws('--endpoint-url', endpoint, 's3', 'ls', 's3://documents/vh/')
      expect(ls.stdout).toMatch(/cli\.txt/)
      const down = await aws('--endpoint-url', endpoint, 's3', 'cp', 's3://documents/vh/cli.txt', '-')
      expect(down.stdout).toBe('from aws-cli\n')
    } finally {
      await rm(home, { recursive: true, force: true })
    }
  })
})
