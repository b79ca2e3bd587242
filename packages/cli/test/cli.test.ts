import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { json, PNG_HEAD } from '../../server/test/harness.ts'
import { useCli } from './cli-fixture.ts'

const cli = useCli()

beforeAll(async () => {
  await cli.put('documents', 'docs/a.txt', 'alpha')
  await cli.put('documents', 'docs/sub/b.txt', 'beta')
})

describe('coffer', () => {
  it('lists buckets and prefixes, as text and JSON', async () => {
    const buckets = await cli.coffer(['ls'])
    expect(buckets.code).toBe(0)
    expect(buckets.stdout).toContain('documents')
    const level = await cli.coffer(['ls', 'coffer://documents/docs/'])
    expect(level.code).toBe(0)
    // Names relative to the prefix, as `aws s3 ls` prints them.
    expect(level.stdout).toMatch(/^ +sub\/$/m)
    expect(level.stdout).not.toContain('b.txt')
    expect(level.stdout).toMatch(/^ +5 {2}\S+Z {2}text\/plain\S* {2}a\.txt$/m)
    const all = JSON.parse((await cli.coffer(['ls', '-r', '--json', 'coffer://documents/docs/'])).stdout)
    expect(all.objects.map((o: { key: string }) => o.key)).toEqual(['docs/a.txt', 'docs/sub/b.txt'])
  })

  it('copies a file up and down with a unicode name and exact bytes, and within a bucket', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0x80])
    const local = join(cli.dir, 'résumé ✓.bin')
    await writeFile(local, bytes)
    expect((await cli.coffer(['cp', local, 'coffer://documents/up/'])).code).toBe(0)
    const back = join(cli.dir, 'back.bin')
    const down = await cli.coffer(['cp', 'coffer://documents/up/résumé ✓.bin', back])
    expect(down.code).toBe(0)
    expect(await readFile(back)).toEqual(bytes)
    const copy = await cli.coffer(['cp', 'coffer://documents/up/résumé ✓.bin', 'coffer://documents/copy.bin'])
    expect(copy.code).toBe(0)
    expect((await cli.coffer(['cat', 'coffer://documents/copy.bin'])).bytes).toEqual(bytes)
    expect(await cli.get('documents', 'up/résumé ✓.bin')).toEqual(bytes)
  })

  it('cats and stats an object', async () => {
    expect((await cli.coffer(['cat', 'coffer://documents/docs/a.txt'])).stdout).toBe('alpha')
    const stat = await cli.coffer(['stat', '--json', 'coffer://documents/docs/a.txt'])
    expect(stat.code).toBe(0)
    expect(JSON.parse(stat.stdout)).toMatchObject({
      key: 'docs/a.txt',
      size: 5,
      contentType: expect.any(String),
    })
  })

  it('removes one object, and a prefix only with --force when stdin is not a TTY', async () => {
    await cli.put('documents', 'gone/x.txt', 'x')
    await cli.put('documents', 'gone/y/z.txt', 'z')
    await cli.put('documents', 'one.txt', '1')
    expect((await cli.coffer(['rm', 'coffer://documents/one.txt'])).code).toBe(0)
    expect((await cli.coffer(['stat', 'coffer://documents/one.txt'])).code).toBe(2)
    const refused = await cli.coffer(['rm', '-r', 'coffer://documents/gone/'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^coffer: .*--force/)
    expect(await cli.keys('documents', 'gone/')).toEqual(['gone/x.txt', 'gone/y/z.txt'])
    expect((await cli.coffer(['rm', '-r', '--force', 'coffer://documents/gone/'])).code).toBe(0)
    expect(await cli.keys('documents', 'gone/')).toEqual([])
  })

  it('empties a whole bucket with rm -r, which can then be deleted', async () => {
    expect((await cli.coffer(['buckets', 'create', 'scratch'])).code).toBe(0)
    await cli.put('scratch', 'a.txt', 'a')
    await cli.put('scratch', 'deep/b.txt', 'b')
    expect((await cli.coffer(['buckets', 'rm', 'scratch'])).code).toBe(6)
    const emptied = await cli.coffer(['rm', '-r', '--force', 'coffer://scratch'])
    expect(emptied.code).toBe(0)
    expect(emptied.stderr).toBe('deleted 2 object(s)\n')
    expect(await cli.keys('scratch', '')).toEqual([])
    expect((await cli.coffer(['buckets', 'rm', 'scratch'])).code).toBe(0)
  })

  it('presigns a URL that fetches the object', async () => {
    const run = await cli.coffer(['presign', '--expires', '15m', 'coffer://documents/docs/a.txt'])
    expect(run.code).toBe(0)
    const response = await fetch(run.stdout.trim())
    expect(await response.text()).toBe('alpha')
  })

  it('presigns a render URL with --transform, and refuses a bad transform', async () => {
    const photo = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#336699' } })
      .jpeg()
      .toBuffer()
    await cli.put('documents', 'pics/p.jpg', photo)
    const run = await cli.coffer([
      'presign',
      '--transform',
      'w=200,h=200,format=png',
      'coffer://documents/pics/p.jpg',
    ])
    expect(run.code).toBe(0)
    const rendered = await sharp(Buffer.from(await (await fetch(run.stdout.trim())).arrayBuffer())).metadata()
    expect([rendered.format, rendered.width, rendered.height]).toEqual(['png', 200, 200])
    const bad = await cli.coffer(['presign', '--transform', 'w=0', 'coffer://documents/pics/p.jpg'])
    expect([bad.code, bad.stderr]).toEqual([6, expect.stringMatching(/^coffer: .*w must be/)])
    expect(
      (await cli.coffer(['presign', '--put', '--transform', 'w=1', 'coffer://documents/pics/p.jpg'])).code,
    ).toBe(1)
  })
})

describe('errors', () => {
  /** Runs the CLI expecting failure: the exit code and the one line on stderr. */
  async function fails(args: string[], env: Record<string, string> = {}) {
    const run = await cli.coffer(args, { env })
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stderr).toMatch(/^coffer: /)
    expect(run.stderr).not.toMatch(/\n\s+at /)
    return run.code
  }

  it('exit 1 for usage mistakes, and --help documents every code', async () => {
    expect((await cli.coffer(['cp', 'only-one-arg'])).code).toBe(1)
    expect((await cli.coffer(['frobnicate'])).code).toBe(1)
    expect(await fails(['cp', cli.dir, 'coffer://documents/tree/'])).toBe(1)
    expect(await fails(['sync', cli.dir, cli.dir])).toBe(1)
    const help = (await cli.coffer(['--help'])).stdout
    for (const code of ['0', '1', '2', '3', '4', '5', '6'])
      expect(help).toMatch(new RegExp(`^ {2}${code} {2}\\w`, 'm'))
    expect(help).toContain('XDG_CONFIG_HOME')
    expect((await cli.coffer(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/)
  })

  it('exit 2 when an object, a prefix or a local file does not exist', async () => {
    expect(await fails(['cat', 'coffer://documents/nope.txt'])).toBe(2)
    expect(await fails(['cp', '-r', 'coffer://documents/no-such-folder/', join(cli.dir, 'x')])).toBe(2)
    expect(await fails(['cp', join(cli.dir, 'missing.txt'), 'coffer://documents/m.txt'])).toBe(2)
  })

  it('exit 3 without a valid credential or outside its scopes', async () => {
    expect(await fails(['ls'], { COFFER_KEY: 'cfr_bad' })).toBe(3)
    const reader = await cli.harness.key([{ bucket: 'documents', permissions: ['read', 'list'] }])
    const local = join(cli.dir, 'denied.txt')
    await writeFile(local, 'no')
    expect(await fails(['cp', local, 'coffer://documents/denied.txt'], { COFFER_KEY: reader })).toBe(3)
    expect(await cli.get('documents', 'denied.txt')).toBeUndefined()
  })

  it('exit 4 for a file over the size limit, of a type the bucket refuses, or over the quota', async () => {
    const tiny = { name: 'tiny', maxFileSize: 64, allowedTypes: ['image/*'] }
    expect((await cli.harness.fetch('/v1/buckets', json(tiny, { token: cli.harness.admin }))).status).toBe(
      201,
    )
    const big = join(cli.dir, 'big.png')
    await writeFile(big, Buffer.alloc(65))
    expect(await fails(['cp', big, 'coffer://tiny/big.png'])).toBe(4)
    const text = join(cli.dir, 'note.txt')
    await writeFile(text, 'plain text')
    expect(await fails(['cp', text, 'coffer://tiny/note.txt'])).toBe(4)
    expect(await cli.keys('tiny', '')).toEqual([])
    // Of several transfers, each failure gets its line, then the count; the others are done.
    const tree = join(cli.dir, 'pngs')
    await mkdir(tree)
    await writeFile(join(tree, 'ok.png'), PNG_HEAD)
    await writeFile(join(tree, 'big.png'), Buffer.concat([PNG_HEAD, Buffer.alloc(64)]))
    const some = await cli.coffer(['cp', '-r', tree, 'coffer://tiny/pngs/'])
    expect(some.code).toBe(4)
    expect(some.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^coffer: upload \S*big\.png → coffer:\/\/tiny\/pngs\/big\.png: /),
      'coffer: 1 of 2 transfer(s) failed',
    ])
    expect(await cli.keys('tiny', '')).toEqual(['pngs/ok.png'])
    expect((await cli.coffer(['buckets', 'create', 'quota', '--quota-objects', '1'])).code).toBe(0)
    expect((await cli.coffer(['cp', text, 'coffer://quota/first.txt'])).code).toBe(0)
    expect(await fails(['cp', text, 'coffer://quota/second.txt'])).toBe(4)
    expect(await cli.keys('quota', '')).toEqual(['first.txt'])
  })

  it('exit 5 when the service cannot be reached', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as { port: number }
    await new Promise((resolve) => closed.close(resolve))
    expect(await fails(['ls'], { COFFER_URL: `http://127.0.0.1:${port}` })).toBe(5)
    const run = await cli.coffer(['ls'], { env: { COFFER_URL: `http://127.0.0.1:${port}` } })
    expect(run.stderr).toBe(`coffer: cannot reach http://127.0.0.1:${port}: ECONNREFUSED\n`)
  })

  it('exit 6 for other invalid requests: a bad key, a bucket that is not empty', async () => {
    expect(await fails(['cat', 'coffer://documents/a//b'])).toBe(6)
    expect(await fails(['buckets', 'rm', 'documents'])).toBe(6)
  })

  it('prints the stack with --debug only', async () => {
    const run = await cli.coffer(['--debug', 'cat', 'coffer://documents/nope.txt'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/\n\s+at /)
  })
})
