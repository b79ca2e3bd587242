import { randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useCli } from './cli-fixture.ts'

const cli = useCli()

/** A tree with nested folders, unicode names, an empty file and binary bytes. */
const TREE: Record<string, Buffer> = {
  'a.txt': Buffer.from('alpha'),
  'empty.txt': Buffer.alloc(0),
  'ünï/cödé ✓.txt': Buffer.from('unicode'),
  '日本語/ファイル 1.txt': Buffer.from('japanese'),
  'deep/er/still/x.bin': randomBytes(200_000),
}

async function writeTree(root: string, tree: Record<string, Buffer>): Promise<void> {
  for (const [name, bytes] of Object.entries(tree)) {
    await mkdir(dirname(join(root, name)), { recursive: true })
    await writeFile(join(root, name), bytes)
  }
}

/** Every file under a folder: relative path → bytes. */
async function readTree(root: string): Promise<Record<string, Buffer>> {
  const tree: Record<string, Buffer> = {}
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])
  for (const entry of entries) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    tree[relative(root, path).split(sep).join('/')] = await readFile(path)
  }
  return tree
}

/** Every object under a prefix: relative key → bytes. */
async function remoteTree(bucket: string, prefix: string): Promise<Record<string, Buffer>> {
  const tree: Record<string, Buffer> = {}
  for (const key of await cli.keys(bucket, prefix)) {
    tree[key.slice(prefix.length)] = (await cli.get(bucket, key)) as Buffer
  }
  return tree
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  )

describe('cp -r', () => {
  it('copies a folder tree up, down and between buckets, byte for byte', async () => {
    const local = join(cli.dir, 'tree')
    await writeTree(local, TREE)
    const up = await cli.coffer(['cp', '-r', local, 'coffer://documents/tree'])
    expect(up.code).toBe(0)
    expect(up.stdout.trim().split('\n')).toHaveLength(Object.keys(TREE).length)
    expect(await remoteTree('documents', 'tree/')).toEqual(TREE)

    const down = join(cli.dir, 'tree-back')
    expect((await cli.coffer(['cp', '-r', 'coffer://documents/tree/', down])).code).toBe(0)
    expect(await readTree(down)).toEqual(TREE)

    expect(
      (await cli.coffer(['cp', '-r', 'coffer://documents/tree/', 'coffer://exports/copied/'])).code,
    ).toBe(0)
    expect(await remoteTree('exports', 'copied/')).toEqual(TREE)
  })

  it('copies one object between buckets by streaming it', async () => {
    await cli.put('documents', 'cross/one.bin', Buffer.from('crossing'))
    expect((await cli.coffer(['cp', 'coffer://documents/cross/one.bin', 'coffer://exports/in/'])).code).toBe(
      0,
    )
    expect(await cli.get('exports', 'in/one.bin')).toEqual(Buffer.from('crossing'))
  })

  it("keeps the object's Cache-Control and disposition, which the API sends as x-coffer-*", async () => {
    const stored = 'public, max-age=600'
    const put = await cli.harness.fetch('/v1/buckets/documents/objects/cached/c.txt', {
      method: 'PUT',
      token: cli.harness.admin,
      headers: {
        'content-type': 'text/plain',
        'cache-control': stored,
        'content-disposition': 'inline; filename="c.txt"',
      },
      body: 'cached',
    })
    expect(put.status).toBe(200)
    expect(
      (await cli.coffer(['cp', 'coffer://documents/cached/c.txt', 'coffer://exports/cached/'])).code,
    ).toBe(0)
    const copy = await cli.harness.fetch('/v1/buckets/exports/objects/cached/c.txt', {
      method: 'HEAD',
      token: cli.harness.admin,
    })
    expect(copy.headers.get('x-coffer-cache-control')).toBe(stored)
    // The API answers with an attachment; the copy keeps the stored inline disposition.
    expect(copy.headers.get('content-disposition')).toMatch(/^attachment;/)
    expect(copy.headers.get('x-coffer-content-disposition')).toMatch(/^inline; filename="c.txt"/)
  })
})

describe('mv', () => {
  it('moves within a bucket, between buckets, up and down; the source is gone', async () => {
    await cli.put('documents', 'mv/a.txt', 'a')
    expect(
      (await cli.coffer(['mv', 'coffer://documents/mv/a.txt', 'coffer://documents/mv/b.txt'])).code,
    ).toBe(0)
    expect(await cli.keys('documents', 'mv/')).toEqual(['mv/b.txt'])
    expect((await cli.coffer(['mv', 'coffer://documents/mv/b.txt', 'coffer://exports/mv/'])).code).toBe(0)
    expect(await cli.keys('documents', 'mv/')).toEqual([])
    expect(await cli.get('exports', 'mv/b.txt')).toEqual(Buffer.from('a'))

    const local = join(cli.dir, 'mv-down.txt')
    expect((await cli.coffer(['mv', 'coffer://exports/mv/b.txt', local])).code).toBe(0)
    expect(await readFile(local, 'utf8')).toBe('a')
    expect(await cli.get('exports', 'mv/b.txt')).toBeUndefined()
    expect((await cli.coffer(['mv', local, 'coffer://documents/mv/back.txt'])).code).toBe(0)
    expect(await exists(local)).toBe(false)
    expect(await cli.get('documents', 'mv/back.txt')).toEqual(Buffer.from('a'))
  })

  it('moves a folder tree up with -r and removes the emptied folders', async () => {
    const local = join(cli.dir, 'mv-tree')
    await writeTree(local, TREE)
    expect((await cli.coffer(['mv', '-r', local, 'coffer://documents/mv-tree/'])).code).toBe(0)
    expect(await remoteTree('documents', 'mv-tree/')).toEqual(TREE)
    expect(await exists(local)).toBe(false)
  })
})

describe('sync', () => {
  /** Runs sync with --json and returns its report. */
  async function sync(...args: string[]) {
    const run = await cli.coffer(['sync', '--json', ...args])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    return JSON.parse(run.stdout) as {
      direction: string
      dryRun: boolean
      transferred: number
      deleted: number
      unchanged: number
      actions: { action: string; from?: string; to?: string; target?: string }[]
    }
  }

  it('mirrors a folder to a prefix: new, changed (same size) and deleted files; --dry-run changes nothing', async () => {
    const local = join(cli.dir, 'sync-up')
    await writeTree(local, TREE)
    const first = await sync(local, 'coffer://documents/mirror/')
    expect(first).toMatchObject({ direction: 'up', transferred: 5, deleted: 0, unchanged: 0 })
    expect(await remoteTree('documents', 'mirror/')).toEqual(TREE)
    expect(await sync(local, 'coffer://documents/mirror/')).toMatchObject({ transferred: 0, unchanged: 5 })

    await writeFile(join(local, 'a.txt'), 'ALPHA') // same size, other bytes: only a checksum tells
    await writeFile(join(local, 'deep/new.txt'), 'new')
    await rm(join(local, 'ünï/cödé ✓.txt'))
    const before = await remoteTree('documents', 'mirror/')
    const dry = await sync('--delete', '--dry-run', local, 'coffer://documents/mirror/')
    expect(dry).toMatchObject({ dryRun: true, transferred: 2, deleted: 1, unchanged: 3 })
    expect(dry.actions.map((a) => `${a.action} ${a.to ?? a.target}`).sort()).toEqual([
      'delete coffer://documents/mirror/ünï/cödé ✓.txt',
      'upload coffer://documents/mirror/a.txt',
      'upload coffer://documents/mirror/deep/new.txt',
    ])
    expect(await remoteTree('documents', 'mirror/')).toEqual(before)

    const withoutDelete = await sync(local, 'coffer://documents/mirror/')
    expect(withoutDelete).toMatchObject({ transferred: 2, deleted: 0 })
    expect(await cli.get('documents', 'mirror/ünï/cödé ✓.txt')).toBeDefined()
    expect(await sync('--delete', local, 'coffer://documents/mirror/')).toMatchObject({
      transferred: 0,
      deleted: 1,
    })
    expect(await remoteTree('documents', 'mirror/')).toEqual(await readTree(local))
  })

  it('mirrors a prefix to a folder with parallel downloads; --dry-run changes nothing', async () => {
    await writeTree(join(cli.dir, 'seed'), TREE)
    expect((await cli.coffer(['cp', '-r', join(cli.dir, 'seed'), 'coffer://exports/down/'])).code).toBe(0)
    const local = join(cli.dir, 'sync-down')
    const first = await sync('--concurrency', '3', 'coffer://exports/down/', local)
    expect(first).toMatchObject({ direction: 'down', transferred: 5, unchanged: 0 })
    expect(await readTree(local)).toEqual(TREE)

    await cli.put('exports', 'down/a.txt', 'ALPHA')
    await cli.put('exports', 'down/more/b.txt', 'b')
    await cli.harness.fetch('/v1/buckets/exports/objects/down/empty.txt', {
      method: 'DELETE',
      token: cli.harness.admin,
    })
    await writeFile(join(local, 'local-only.txt'), 'mine')
    const before = await readTree(local)
    const dry = await sync('--dry-run', '--delete', 'coffer://exports/down/', local)
    expect(dry).toMatchObject({ transferred: 2, deleted: 2, unchanged: 3 })
    expect(await readTree(local)).toEqual(before)

    expect(await sync('--delete', 'coffer://exports/down/', local)).toMatchObject({
      transferred: 2,
      deleted: 2,
    })
    expect(await readTree(local)).toEqual(await remoteTree('exports', 'down/'))
    expect(await sync('coffer://exports/down/', local)).toMatchObject({ transferred: 0, unchanged: 5 })
  })

  it('prints one line per action and a summary without --json', async () => {
    const local = join(cli.dir, 'sync-lines')
    // A download's temporary file, as a crash leaves it, is not the user's: sync leaves it out.
    const leftover = '.one.txt.coffer-0123456789ab'
    await writeTree(local, {
      'one.txt': Buffer.from('1'),
      'two/2.txt': Buffer.from('2'),
      [leftover]: Buffer.from('x'),
    })
    const run = await cli.coffer(['sync', local, 'coffer://documents/lines/'])
    expect(run.code).toBe(0)
    const lines = run.stdout.trim().split('\n')
    expect(lines.slice(0, 2).sort()).toEqual([
      expect.stringMatching(/^upload .*one\.txt → coffer:\/\/documents\/lines\/one\.txt \(1 B\)$/),
      expect.stringMatching(/^upload .*2\.txt → coffer:\/\/documents\/lines\/two\/2\.txt \(1 B\)$/),
    ])
    expect(lines[2]).toBe('uploaded 2 (2 B), deleted 0, unchanged 0')
    const dry = await cli.coffer([
      'sync',
      '--dry-run',
      '--delete',
      'coffer://documents/lines/',
      join(cli.dir, 'nowhere'),
    ])
    expect(dry.stdout).toContain('(dry run) download coffer://documents/lines/one.txt')
    expect(dry.stdout).toContain('dry run: would have downloaded 2 (2 B)')
    expect(await exists(join(cli.dir, 'nowhere'))).toBe(false)
  })
})
