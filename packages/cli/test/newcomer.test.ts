import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { json, PNG_HEAD } from '../../server/test/harness.ts'
import { useCli } from './cli-fixture.ts'

const cli = useCli()

/** A run with no key anywhere: no flag, no COFFER_KEY, no profile (a fresh config dir). */
const fresh = (url?: string) => ({
  COFFER_KEY: undefined,
  COFFER_URL: url,
  XDG_CONFIG_HOME: join(cli.dir, 'fresh-config'),
})

describe('a newcomer', () => {
  it('is told how to log in on a first run, not a bare ECONNREFUSED or 401', async () => {
    // A port nothing listens on: the default address of a first run, on a machine with no service.
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as { port: number }
    await new Promise((resolve) => closed.close(resolve))
    const unreachable = await cli.coffer(['ls'], { env: fresh(`http://127.0.0.1:${port}`) })
    expect(unreachable.code).toBe(3)
    expect(unreachable.stderr).toMatch(
      /^coffer: not logged in: run `coffer login --url URL` or set COFFER_KEY .*ECONNREFUSED\n$/,
    )
    const refused = await cli.coffer(['ls', 'coffer://documents/'], { env: fresh(cli.harness.url) })
    expect(refused.code).toBe(3)
    expect(refused.stderr).toMatch(/^coffer: not logged in: run `coffer login --url URL` or set COFFER_KEY/)
    const badKey = await cli.coffer(['ls'], { env: { COFFER_KEY: 'line\nbreak' } })
    expect(badKey.code).toBe(1)
    expect(badKey.stderr).toMatch(/^coffer: the key holds characters no header can carry/)
  })

  it('documents what login reads, and logs in with the key from stdin', async () => {
    const help = await cli.coffer(['login', '--help'])
    expect(help.code).toBe(0)
    for (const text of ['COFFER_URL', 'COFFER_KEY', 'COFFER_PROFILE', 'stdin', '0600', '--url <url>'])
      expect(help.stdout).toContain(text)
    const env = { ...fresh(undefined), XDG_CONFIG_HOME: join(cli.dir, 'login-config') }
    const login = await cli.coffer(['login', '--url', cli.harness.url], {
      env,
      input: `${cli.harness.admin}\n`,
    })
    expect(login.stderr).toMatch(/^logged in to http:\/\/127\.0\.0\.1:\d+; saved .*default\.json\n$/)
    expect(login.code).toBe(0)
    expect((await cli.coffer(['ls'], { env })).stdout).toContain('documents')
  })

  it('sees who it is with whoami', async () => {
    const token = await cli.harness.key([
      { bucket: 'documents', prefix: 'team/', permissions: ['read', 'list'] },
    ])
    const text = await cli.coffer(['whoami'], { env: { COFFER_KEY: token } })
    expect(text.stderr).toBe('')
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^test key at http:\/\/127\.0\.0\.1:\d+\n/)
    expect(text.stdout).toMatch(/^scope +documents\/team\/:read,list$/m)
    const json = JSON.parse((await cli.coffer(['whoami', '--json'], { env: { COFFER_KEY: token } })).stdout)
    expect(json).toMatchObject({
      name: 'test key',
      scopes: [{ bucket: 'documents', permissions: ['read', 'list'] }],
    })
  })

  it('gets "did you mean" for a mistyped command', async () => {
    const run = await cli.coffer(['sycn', 'a', 'b'])
    expect(run.code).toBe(1)
    expect(run.stderr).toBe("coffer: unknown command 'sycn'\n(Did you mean sync?)\n")
  })

  it('presigns for 2h30m, as JSON', async () => {
    await cli.put('documents', 'presign/a.txt', 'signed')
    const before = Date.now()
    const run = await cli.coffer([
      'presign',
      '--json',
      '--expires',
      '2h30m',
      'coffer://documents/presign/a.txt',
    ])
    expect(run.code).toBe(0)
    const signed = JSON.parse(run.stdout) as { url: string; method: string; expiresAt: string }
    expect(signed.method).toBe('GET')
    // Signed between \`before\` and now, for 9000 s (the service may round to whole seconds).
    const expiresAt = Date.parse(signed.expiresAt)
    expect(expiresAt).toBeGreaterThanOrEqual(before + 9000_000 - 1000)
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 9000_000 + 1000)
    expect(await (await fetch(signed.url)).text()).toBe('signed')
    const bad = await cli.coffer(['presign', '--expires', '30m2h', 'coffer://documents/presign/a.txt'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/bad duration: 30m2h/)
  })

  it('stats an object with its sha256 and visibility', async () => {
    await cli.put('documents', 'stat/a.txt', 'alpha')
    const sha = '8ed3f6ad685b959ead7022518e1af76cd816f8e8ec7ccdda1ed4018e8f2223f8'
    const json = JSON.parse((await cli.coffer(['stat', '--json', 'coffer://documents/stat/a.txt'])).stdout)
    expect(json).toMatchObject({ key: 'stat/a.txt', size: 5, sha256: sha, visibility: 'private' })
    const text = await cli.coffer(['stat', 'coffer://documents/stat/a.txt'])
    expect(text.stdout).toMatch(new RegExp(`^sha256 +${sha}$`, 'm'))
    expect(text.stdout).toMatch(/^visibility private$/m)
  })

  it("words a bucket's refusals with the file's name and sizes for people, keeping exit 4", async () => {
    const policy = { name: 'words', maxFileSize: 1024, allowedTypes: ['image/*'], quotaBytes: 3072 }
    expect((await cli.harness.fetch('/v1/buckets', json(policy, { token: cli.harness.admin }))).status).toBe(
      201,
    )
    const png = (name: string, size: number) => {
      const path = join(cli.dir, name)
      return writeFile(path, Buffer.concat([PNG_HEAD, Buffer.alloc(size - PNG_HEAD.length)])).then(() => path)
    }
    const big = await cli.coffer(['cp', await png('big.png', 2048), 'coffer://words/big.png'])
    expect(big.code).toBe(4)
    expect(big.stderr).toBe('coffer: big.png is 2.0 KiB; bucket words accepts files up to 1.0 KiB\n')
    const text = join(cli.dir, 'note.txt')
    await writeFile(text, 'plain text')
    const typed = await cli.coffer(['cp', text, 'coffer://words/note.txt'])
    expect(typed.code).toBe(4)
    expect(typed.stderr).toMatch(/^coffer: note\.txt: .*text\/plain.*; bucket words accepts image\/\*\n$/)
    const part = await png('part.png', 1000)
    for (const key of ['a.png', 'b.png', 'c.png']) await cli.coffer(['cp', part, `coffer://words/${key}`])
    const full = await cli.coffer(['cp', part, 'coffer://words/d.png'])
    expect(full.code).toBe(4)
    expect(full.stderr).toBe('coffer: bucket words is full: 2.9 KiB of 3.0 KiB used; part.png needs 1000 B\n')
    expect(full.stderr).not.toMatch(/\d{4,} bytes/)
  })
})
