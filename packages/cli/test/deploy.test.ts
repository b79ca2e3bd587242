import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { json } from '../../server/test/harness.ts'
import { siteGet } from '../../server/test/sites/site-client.ts'
import { useCli } from './cli-fixture.ts'

const cli = useCli()

describe('coffer deploy', () => {
  let folder: string
  beforeAll(async () => {
    folder = join(cli.dir, 'dist')
    await mkdir(join(folder, 'about'), { recursive: true })
    await mkdir(join(folder, 'assets'), { recursive: true })
    await writeFile(join(folder, 'index.html'), '<!doctype html><title>from the cli</title>')
    await writeFile(join(folder, 'about', 'index.html'), '<!doctype html><title>about</title>')
    // Random bytes: a file of zeros this large compresses past the ratio that marks an archive bomb.
    await writeFile(join(folder, 'assets', 'big.bin'), randomBytes(3 * 1024 * 1024))
  })

  it('deploys a folder as a live deploy and prints where the site is', async () => {
    const run = await cli.coffer(['deploy', folder, '--site', 'cli-demo'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const port = new URL(cli.harness.contentUrl).port
    expect(run.stdout).toContain(`3 files`)
    expect(run.stdout).toContain(`live at http://cli-demo.sites.localhost:${port}/`)
    const patch = json({ public: true }, { method: 'PATCH', token: cli.harness.admin })
    expect((await cli.harness.fetch('/v1/sites/cli-demo', patch)).status).toBe(200)
    const page = await siteGet(cli.harness.contentUrl, 'cli-demo', '/about/')
    expect(page.body).toContain('<title>about</title>')
    const big = await siteGet(cli.harness.contentUrl, 'cli-demo', '/assets/big.bin', {}, 'HEAD')
    expect(big.headers['content-length']).toBe(String(3 * 1024 * 1024))
  })

  it('stores a deploy without making it live, and reports JSON', async () => {
    const before = await (await cli.harness.fetch('/v1/sites/cli-demo', { token: cli.harness.admin })).json()
    const run = await cli.coffer(['deploy', folder, '--site', 'cli-demo', '--no-activate', '--json'])
    expect(run.code).toBe(0)
    const answer = JSON.parse(run.stdout) as { deploy: { id: string }; site: { current: string } }
    expect(answer.site.current).toBe((before as { site: { current: string } }).site.current)
    expect(answer.deploy.id).not.toBe(answer.site.current)
  })

  it('fails with the service message for a bad site name, or an empty folder', async () => {
    const bad = await cli.coffer(['deploy', folder, '--site', 'Not_A_Label'])
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toMatch(/site name/)
    const empty = join(cli.dir, 'empty')
    await mkdir(empty)
    const none = await cli.coffer(['deploy', empty, '--site', 'cli-demo'])
    expect(none.code).not.toBe(0)
    expect(none.stderr).toMatch(/no file to deploy/)
  })

  it('deploys a folder of a bucket, copied by the service', async () => {
    const put = await cli.harness.fetch('/v1/buckets/documents/objects/builds/site/index.html', {
      method: 'PUT',
      token: cli.harness.admin,
      body: '<!doctype html><title>from a bucket</title>',
    })
    expect(put.status).toBe(200)
    const run = await cli.coffer(['deploy', 'coffer://documents/builds/site', '--site', 'cli-bucket'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/: 1 files, .* live at http:\/\/cli-bucket\.sites\.localhost:\d+\/\n$/)
    const missing = await cli.coffer(['deploy', 'coffer://documents/no/such/folder', '--site', 'cli-bucket'])
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toMatch(/no file/)
  })
})
