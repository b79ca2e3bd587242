import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useCli } from './cli-fixture.ts'

const cli = useCli()

/** Writes files under a new folder of the fixture's dir; its path. */
async function tree(name: string, files: Record<string, string>): Promise<string> {
  const root = join(cli.dir, name)
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true })
    await writeFile(join(root, path), text)
  }
  return root
}

const FILES = { 'a.txt': 'a', 'b.log': 'b', 'keep/c.log': 'c', 'keep/d.txt': 'd', '.env': 'secret' }

describe('flags from aws-cli and rclone', () => {
  it('cp -r takes --exclude and --include globs, the last matching rule winning', async () => {
    const root = await tree('globs', FILES)
    const run = await cli.coffer([
      'cp',
      '-r',
      root,
      'coffer://documents/globs/',
      '--exclude',
      '*.log',
      '--exclude',
      '.env',
    ])
    expect(run.code).toBe(0)
    expect(await cli.keys('documents', 'globs/')).toEqual(['globs/a.txt', 'globs/keep/d.txt'])
    const only = ['--exclude', '*', '--include', 'keep/**']
    expect((await cli.coffer(['cp', '-r', root, 'coffer://documents/only/', ...only])).code).toBe(0)
    expect(await cli.keys('documents', 'only/')).toEqual(['only/keep/c.log', 'only/keep/d.txt'])
    const down = join(cli.dir, 'globs-down')
    expect(
      (await cli.coffer(['cp', '-r', 'coffer://documents/globs/', down, '--exclude', 'keep/*'])).code,
    ).toBe(0)
    expect(await readFile(join(down, 'a.txt'), 'utf8')).toBe('a')
    await expect(readFile(join(down, 'keep/d.txt'))).rejects.toThrow(/ENOENT/)
  })

  it('sync --delete leaves excluded names alone on both sides', async () => {
    const root = await tree('sync-globs', FILES)
    await cli.put('documents', 'mirror/old.log', 'stays: excluded')
    await cli.put('documents', 'mirror/old.txt', 'goes')
    const run = await cli.coffer([
      'sync',
      '--delete',
      '--exclude',
      '*.log',
      root,
      'coffer://documents/mirror',
    ])
    expect(run.code).toBe(0)
    expect(await cli.keys('documents', 'mirror/')).toEqual([
      'mirror/.env',
      'mirror/a.txt',
      'mirror/keep/d.txt',
      'mirror/old.log',
    ])
  })

  it('uploads with --content-type, --cache-control and --metadata', async () => {
    const root = await tree('headers', { 'data.bin': '{"a":1}' })
    const run = await cli.coffer([
      'cp',
      join(root, 'data.bin'),
      'coffer://documents/headers/data.bin',
      '--content-type',
      'application/json',
      '--cache-control',
      'public, max-age=60',
      '--metadata',
      'owner=zoë',
      '--metadata',
      'Project=x=y',
    ])
    expect(run.stderr).toBe('')
    const stat = JSON.parse(
      (await cli.coffer(['stat', '--json', 'coffer://documents/headers/data.bin'])).stdout,
    )
    expect(stat.contentType).toBe('application/json')
    expect(stat.metadata).toEqual({ owner: 'zoë', project: 'x=y' })
    const head = await cli.harness.fetch('/v1/buckets/documents/objects/headers/data.bin', {
      method: 'HEAD',
      token: cli.harness.admin,
    })
    expect(head.headers.get('x-coffer-cache-control')).toBe('public, max-age=60')
    const bad = await cli.coffer([
      'cp',
      join(root, 'data.bin'),
      'coffer://documents/x',
      '--metadata',
      'novalue',
    ])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/bad --metadata novalue/)
  })

  it('--no-clobber keeps what exists, up (PUT and tus), down and within the service', async () => {
    const root = await tree('clobber', { 'a.txt': 'new a', 'big.bin': 'new big', 'c.txt': 'new c' })
    await cli.put('documents', 'clobber/a.txt', 'old a')
    await cli.put('documents', 'clobber/big.bin', 'old big')
    const up = await cli.coffer([
      'cp',
      '-r',
      '--no-clobber',
      '--resume-threshold',
      '5',
      root,
      'coffer://documents/clobber/',
    ])
    expect(up.code).toBe(0)
    expect(up.stdout).toMatch(/^skip \S+a\.txt → coffer:\/\/documents\/clobber\/a\.txt \(exists\)$/m)
    expect((await cli.get('documents', 'clobber/a.txt'))?.toString()).toBe('old a')
    expect((await cli.get('documents', 'clobber/big.bin'))?.toString()).toBe('old big')
    expect((await cli.get('documents', 'clobber/c.txt'))?.toString()).toBe('new c')
    await writeFile(join(root, 'a.txt'), 'local a')
    const down = await cli.coffer(['cp', '-r', '--no-clobber', 'coffer://documents/clobber/', root])
    expect(down.code).toBe(0)
    expect(await readFile(join(root, 'a.txt'), 'utf8')).toBe('local a')
    const copy = await cli.coffer([
      'cp',
      '--no-clobber',
      'coffer://documents/clobber/c.txt',
      'coffer://documents/clobber/a.txt',
    ])
    expect(copy.code).toBe(0)
    expect((await cli.get('documents', 'clobber/a.txt'))?.toString()).toBe('old a')
    const sync = await cli.coffer(['sync', '--no-clobber', '--json', root, 'coffer://documents/clobber'])
    expect(JSON.parse(sync.stdout)).toMatchObject({ transferred: 0, unchanged: 3 })
  })

  it('ls --human-readable --summarize, with names relative to the prefix', async () => {
    await cli.put('documents', 'sizes/big.bin', Buffer.alloc(1536 * 1024))
    await cli.put('documents', 'sizes/small.txt', 'abc')
    await cli.put('documents', 'sizes/sub/x.txt', 'x')
    const run = await cli.coffer(['ls', '-H', '--summarize', 'coffer://documents/sizes/'])
    expect(run.code).toBe(0)
    const lines = run.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^ +sub\/$/)
    expect(lines[1]).toMatch(/^ +1\.5 MiB {2}\S+Z {2}\S+ +big\.bin$/)
    expect(lines[2]).toMatch(/^ +3 B {2}\S+Z {2}text\/plain\S* +small\.txt$/)
    expect(lines.slice(-2)).toEqual(['Total Objects: 2', '   Total Size: 1.5 MiB'])
    const partial = await cli.coffer(['ls', '-r', 'coffer://documents/sizes/s'])
    expect(partial.stdout).toMatch(/ small\.txt\n.* sub\/x\.txt\n$/)
  })
})
