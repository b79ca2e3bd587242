import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from '../harness.ts'
import {
  clientEnv,
  missingClients,
  multipartEtag,
  partsOf,
  restSha,
  run,
  s3Credentials,
  setQuota,
  sha256,
} from './s3-clients.ts'

const missing = missingClients()
const MiB = 1024 * 1024

/** S3's multipart etag of `data` cut into parts of `size` bytes. */
const etagOf = (data: Buffer, size: number) => multipartEtag(partsOf(data, size))

let harness: Harness
let home: string
let env: Record<string, string>
let scopedEnv: Record<string, string>
let adminId: string
// 12 MiB + 1: over aws-cli's 8 MB threshold, three parts of rclone's and boto3's 5 MiB.
const big = randomBytes(12 * MiB + 1)
const part1 = randomBytes(5 * MiB)
const part2 = Buffer.from('the last part\n')

beforeAll(async () => {
  if (missing.length > 0) return
  harness = await startHarness('sqlite')
  home = await mkdtemp(join(tmpdir(), 'coffer-s3-mp-tools-'))
  for (const [name, bytes] of Object.entries({ big, part1, part2 })) await writeFile(join(home, name), bytes)
  const admin = await s3Credentials(harness, [{ bucket: '*', permissions: ['admin'] }])
  adminId = admin.id
  env = await clientEnv(harness, home, admin)
  const scoped = await s3Credentials(harness, [
    { bucket: 'documents', prefix: 'mine/', permissions: ['read', 'write', 'list'] },
  ])
  scopedEnv = { ...env, AWS_ACCESS_KEY_ID: scoped.accessKeyId, AWS_SECRET_ACCESS_KEY: scoped.secretAccessKey }
})
afterAll(async () => {
  await harness?.close()
  if (home !== undefined) await rm(home, { recursive: true, force: true })
})

describe.skipIf(missing.length > 0)('Debian S3 clients upload in parts', () => {
  const aws = (...args: string[]) => run('/usr/bin/aws', ['--endpoint-url', harness.s3Url, ...args], env)
  const s3api = async (...args: string[]) => {
    const result = await aws('s3api', ...args)
    expect(result.code, result.stderr).toBe(0)
    return JSON.parse(result.stdout || '{}') as Record<string, unknown>
  }

  it('aws s3 cp: a file over the multipart threshold, indexed and audited', async () => {
    const up = await aws('s3', 'cp', join(home, 'big'), 's3://documents/cli/big.bin')
    expect(up.code, up.stderr).toBe(0)
    expect(await restSha(harness, 'documents', 'cli/big.bin')).toBe(sha256(big))
    const head = await s3api('head-object', '--bucket', 'documents', '--key', 'cli/big.bin')
    expect(head.ETag).toBe(etagOf(big, 8 * MiB))
    const listed = await harness.fetch('/v1/buckets/documents/objects?prefix=cli/', { token: harness.admin })
    const { objects } = (await listed.json()) as { objects: { key: string; size: number }[] }
    expect(objects).toContainEqual(expect.objectContaining({ key: 'cli/big.bin', size: big.length }))
    const audit = await harness.fetch('/v1/audit?bucket=documents&key=cli/big.bin', { token: harness.admin })
    const { events } = (await audit.json()) as { events: { actor: string; action: string }[] }
    expect(events[0]).toMatchObject({ actor: `key:${adminId}`, action: 'object.put' })
  })

  it('aws s3api: create, upload-part, list-parts, complete, abort and list-multipart-uploads', async () => {
    const target = ['--bucket', 'documents', '--key', 'api/joined.bin']
    const { UploadId } = (await s3api('create-multipart-upload', ...target)) as { UploadId: string }
    const upload = ['--upload-id', UploadId]
    const etags: string[] = []
    for (const [n, file] of [
      [1, 'part1'],
      [2, 'part2'],
    ] as const) {
      const sent = await s3api(
        'upload-part',
        ...target,
        ...upload,
        '--part-number',
        `${n}`,
        '--body',
        join(home, file),
      )
      etags.push(sent.ETag as string)
    }
    const parts = (await s3api('list-parts', ...target, ...upload)) as {
      Parts: { PartNumber: number; Size: number }[]
    }
    expect(parts.Parts.map((p) => [p.PartNumber, p.Size])).toEqual([
      [1, part1.length],
      [2, part2.length],
    ])
    const listed = (await s3api('list-multipart-uploads', '--bucket', 'documents', '--prefix', 'api/')) as {
      Uploads?: { Key: string; UploadId: string }[]
    }
    expect(listed.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([['api/joined.bin', UploadId]])
    const completion = { Parts: etags.map((ETag, i) => ({ PartNumber: i + 1, ETag })) }
    await writeFile(join(home, 'parts.json'), JSON.stringify(completion))
    const done = await s3api(
      'complete-multipart-upload',
      ...target,
      ...upload,
      '--multipart-upload',
      `file://${join(home, 'parts.json')}`,
    )
    expect(done.ETag).toBe(etagOf(Buffer.concat([part1, part2]), 5 * MiB))
    expect(await restSha(harness, 'documents', 'api/joined.bin')).toBe(sha256(Buffer.concat([part1, part2])))
    const other = (await s3api(
      'create-multipart-upload',
      '--bucket',
      'documents',
      '--key',
      'api/dropped',
    )) as {
      UploadId: string
    }
    const dropped = ['--bucket', 'documents', '--key', 'api/dropped', '--upload-id', other.UploadId]
    await s3api('abort-multipart-upload', ...dropped)
    const after = await s3api('list-multipart-uploads', '--bucket', 'documents', '--prefix', 'api/')
    expect(after.Uploads ?? []).toEqual([])
    const gone = await aws('s3api', 'list-parts', ...dropped)
    expect(gone.stderr).toContain('NoSuchUpload')
  })

  it('aws s3 cp: a scoped key is refused outside its prefix, and a quota refuses the completion', async () => {
    const denied = await run(
      '/usr/bin/aws',
      ['--endpoint-url', harness.s3Url, 's3', 'cp', join(home, 'big'), 's3://documents/theirs/big'],
      scopedEnv,
    )
    expect(denied.code).not.toBe(0)
    expect(denied.stderr).toContain('AccessDenied')
    expect(await restSha(harness, 'documents', 'theirs/big')).toBe(404)
    const mine = await run(
      '/usr/bin/aws',
      ['--endpoint-url', harness.s3Url, 's3', 'cp', join(home, 'big'), 's3://documents/mine/big'],
      scopedEnv,
    )
    expect(mine.code, mine.stderr).toBe(0)
    expect(await restSha(harness, 'documents', 'mine/big')).toBe(sha256(big))
    await setQuota(harness, 'prototypes', 10 * MiB)
    const over = await aws('s3', 'cp', join(home, 'big'), 's3://prototypes/over/big')
    expect(over.code).not.toBe(0)
    expect(over.stderr).toContain('QuotaExceeded')
    expect(await restSha(harness, 'prototypes', 'over/big')).toBe(404)
    // aws-cli aborts the upload it could not complete: nothing is left staged.
    const left = await s3api('list-multipart-uploads', '--bucket', 'prototypes')
    expect(left.Uploads ?? []).toEqual([])
  })

  it('rclone: --s3-upload-cutoff 5M --s3-chunk-size 5M uploads in parts', async () => {
    const copy = await run(
      '/usr/bin/rclone',
      [
        'copyto',
        '--s3-upload-cutoff',
        '5M',
        '--s3-chunk-size',
        '5M',
        join(home, 'big'),
        'coffer:documents/rc/big',
      ],
      env,
    )
    expect(copy.code, copy.stderr).toBe(0)
    expect(await restSha(harness, 'documents', 'rc/big')).toBe(sha256(big))
    const head = await s3api('head-object', '--bucket', 'documents', '--key', 'rc/big')
    expect(head.ETag).toBe(etagOf(big, 5 * MiB))
    const check = await run(
      '/usr/bin/rclone',
      ['check', '--download', join(home, 'big'), 'coffer:documents/rc/'],
      env,
    )
    expect(check.code, check.stderr).toBe(0)
  })

  it('boto3: upload_file with a 5 MiB multipart threshold', async () => {
    const script = `
import boto3, sys
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
s3 = boto3.client('s3', endpoint_url=sys.argv[1], config=Config(s3={'addressing_style': 'path'}))
config = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
s3.upload_file(sys.argv[2], 'documents', 'py/big.bin', Config=config)
print(s3.head_object(Bucket='documents', Key='py/big.bin')['ETag'])
`
    const result = await run('/usr/bin/python3', ['-c', script, harness.s3Url, join(home, 'big')], env)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout.trim()).toBe(etagOf(big, 5 * MiB))
    expect(await restSha(harness, 'documents', 'py/big.bin')).toBe(sha256(big))
  })
})
