import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from '../harness.ts'
import { clientEnv, missingClients, restSha as restShaOf, run, s3Credentials, sha256 } from './s3-clients.ts'

const missing = missingClients()

let harness: Harness
let home: string
let env: Record<string, string>
const files = { big: randomBytes(3 * 1024 * 1024), a: Buffer.from('alpha\n'), b: Buffer.from('beta\n') }

beforeAll(async () => {
  if (missing.length > 0) return
  harness = await startHarness('sqlite')
  const s3 = await s3Credentials(harness, [{ bucket: '*', permissions: ['admin'] }])
  home = await mkdtemp(join(tmpdir(), 'coffer-s3-tools-'))
  await mkdir(join(home, 'dir'))
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(home, 'dir', name), bytes)
  env = await clientEnv(harness, home, s3)
})
afterAll(async () => {
  await harness?.close()
  if (home !== undefined) await rm(home, { recursive: true, force: true })
})

/** What the REST API serves for a key of `documents`. */
const restSha = (key: string) => restShaOf(harness, 'documents', key)

describe.skipIf(missing.length > 0)('Debian S3 clients against the S3 endpoint', () => {
  const aws = (...args: string[]) => run('/usr/bin/aws', ['--endpoint-url', harness.s3Url, ...args], env)
  const rclone = (...args: string[]) => run('/usr/bin/rclone', args, env)

  it('aws s3: cp both ways, ls, sync, presign and rm', async () => {
    const up = await aws('s3', 'cp', join(home, 'dir', 'big'), 's3://documents/cli/big.bin')
    expect(up.stderr).toBe('')
    expect(await restSha('cli/big.bin')).toBe(sha256(files.big))
    expect((await aws('s3', 'ls', 's3://documents/cli/')).stdout).toMatch(/3145728 big\.bin/)
    expect((await aws('s3', 'cp', 's3://documents/cli/big.bin', join(home, 'down.bin'))).code).toBe(0)
    expect(sha256(await readFile(join(home, 'down.bin')))).toBe(sha256(files.big))
    const sync = await aws('s3', 'sync', join(home, 'dir'), 's3://documents/synced/')
    expect(sync.code, sync.stderr).toBe(0)
    expect(await restSha('synced/a')).toBe(sha256(files.a))
    const presigned = await aws('s3', 'presign', 's3://documents/synced/b', '--expires-in', '60')
    expect(await (await fetch(presigned.stdout.trim())).text()).toBe('beta\n')
    expect((await aws('s3', 'rm', 's3://documents/cli/big.bin')).code).toBe(0)
    expect(await restSha('cli/big.bin')).toBe(404)
  })

  it('boto3: put, head, list, copy and delete in a batch', async () => {
    const script = `
import boto3, json, sys
from botocore.config import Config
s3 = boto3.client('s3', endpoint_url=sys.argv[1], config=Config(s3={'addressing_style': 'path'}))
s3.put_object(Bucket='documents', Key='py/one', Body=b'one', Metadata={'from': 'boto3'})
s3.put_object(Bucket='documents', Key='py/two', Body=b'two' * 1000, ChecksumAlgorithm='CRC32')
head = s3.head_object(Bucket='documents', Key='py/one')
s3.copy_object(Bucket='documents', Key='py/three', CopySource={'Bucket': 'documents', 'Key': 'py/one'})
listed = s3.list_objects_v2(Bucket='documents', Prefix='py/')
gone = s3.delete_objects(Bucket='documents', Delete={'Objects': [{'Key': 'py/one'}, {'Key': 'py/three'}]})
print(json.dumps({'meta': head['Metadata'], 'keys': [o['Key'] for o in listed['Contents']], 'deleted': sorted(d['Key'] for d in gone['Deleted'])}))
`
    const result = await run('/usr/bin/python3', ['-c', script, harness.s3Url], env)
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      meta: { from: 'boto3' },
      keys: ['py/one', 'py/three', 'py/two'],
      deleted: ['py/one', 'py/three'],
    })
    expect(await restSha('py/two')).toBe(sha256(Buffer.from('two'.repeat(1000))))
  })

  it('rclone: copy, check --download, sync and list', async () => {
    const copy = await rclone('copy', join(home, 'dir'), 'coffer:documents/rc')
    expect(copy.code, copy.stderr).toBe(0)
    const check = await rclone('check', '--download', join(home, 'dir'), 'coffer:documents/rc')
    expect(check.code, check.stderr).toBe(0)
    await rm(join(home, 'dir', 'a'))
    expect((await rclone('sync', join(home, 'dir'), 'coffer:documents/rc')).code).toBe(0)
    expect((await rclone('lsf', 'coffer:documents/rc')).stdout.split('\n').filter(Boolean).sort()).toEqual([
      'b',
      'big',
    ])
    expect(await restSha('rc/big')).toBe(sha256(files.big))
  })
})
