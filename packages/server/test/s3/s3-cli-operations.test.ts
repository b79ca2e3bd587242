import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from '../harness.ts'
import { awsEnv, createS3Key, runClient } from './s3-test-clients.ts'

const hasAws = existsSync('/usr/bin/aws')

describe.skipIf(!hasAws)('aws s3api: tagging, versions, attributes and parts', () => {
  let harness: Harness
  let home: string
  let env: Record<string, string>
  /** `aws s3api …` against the endpoint, its JSON output parsed. */
  const s3api = async (...args: string[]) => {
    const run = await runClient('/usr/bin/aws', ['--endpoint-url', harness.s3Url, 's3api', ...args], env)
    expect(run.code, run.stderr).toBe(0)
    return run.stdout.trim() === '' ? {} : JSON.parse(run.stdout)
  }

  beforeAll(async () => {
    if (!hasAws) return
    harness = await startHarness('sqlite')
    const key = await createS3Key(harness, [{ bucket: '*', permissions: ['admin'] }])
    home = await mkdtemp(join(tmpdir(), 'coffer-s3api-'))
    await writeFile(join(home, 'aws-config'), '[default]\ns3 =\n  addressing_style = path\n')
    await writeFile(join(home, 'body.txt'), 'tagged body\n')
    env = awsEnv(home, key, join(home, 'aws-config'))
  })
  afterAll(async () => {
    await harness?.close()
    if (home !== undefined) await rm(home, { recursive: true, force: true })
  })

  it('tags, lists versions, reads attributes and part 1', async () => {
    const body = join(home, 'body.txt')
    await s3api(
      'put-object',
      '--bucket',
      'documents',
      '--key',
      'cli/t.txt',
      '--body',
      body,
      '--tagging',
      'team=blue',
    )
    await s3api(
      'put-object-tagging',
      '--bucket',
      'documents',
      '--key',
      'cli/t.txt',
      '--tagging',
      'TagSet=[{Key=team,Value=red},{Key=stage,Value=draft}]',
    )
    expect((await s3api('get-object-tagging', '--bucket', 'documents', '--key', 'cli/t.txt')).TagSet).toEqual(
      [
        { Key: 'team', Value: 'red' },
        { Key: 'stage', Value: 'draft' },
      ],
    )
    const versions = await s3api('list-object-versions', '--bucket', 'documents', '--prefix', 'cli/')
    expect(
      versions.Versions.map((v: { Key: string; VersionId: string; IsLatest: boolean }) => [
        v.Key,
        v.VersionId,
        v.IsLatest,
      ]),
    ).toEqual([['cli/t.txt', 'null', true]])
    const attributes = await s3api(
      'get-object-attributes',
      '--bucket',
      'documents',
      '--key',
      'cli/t.txt',
      '--object-attributes',
      'ObjectSize',
      'StorageClass',
      'ETag',
    )
    expect([attributes.ObjectSize, attributes.StorageClass]).toEqual([12, 'STANDARD'])
    const out = join(home, 'part1.txt')
    const part = await s3api(
      'get-object',
      '--bucket',
      'documents',
      '--key',
      'cli/t.txt',
      '--part-number',
      '1',
      out,
    )
    expect(part.ContentRange).toBe('bytes 0-11/12')
    expect(await readFile(out, 'utf8')).toBe('tagged body\n')
    await s3api('delete-object-tagging', '--bucket', 'documents', '--key', 'cli/t.txt')
    expect((await s3api('get-object-tagging', '--bucket', 'documents', '--key', 'cli/t.txt')).TagSet).toEqual(
      [],
    )
  })
})
