import { describe, expect, it } from 'vitest'
import { useCli } from './cli-fixture.ts'

const cli = useCli()

describe('share links from the shell', () => {
  it('shares an object, lists the link with its downloads, and revokes it', async () => {
    await cli.put('documents', 'shared/plan.txt', 'the plan')
    const made = await cli.coffer([
      'share',
      '--expires',
      '2h',
      '--max-downloads',
      '3',
      'coffer://documents/shared/plan.txt',
    ])
    expect(made.code).toBe(0)
    const url = made.stdout.trim()
    expect(url.startsWith(`${cli.harness.contentUrl}/share/`)).toBe(true)
    expect(made.stderr).toMatch(/3 downloads at most/)
    const download = await fetch(url)
    expect(await download.text()).toBe('the plan')

    const listed = JSON.parse((await cli.coffer(['shares', 'ls', 'documents', '--json'])).stdout) as {
      id: string
      key: string
      downloads: number
      expiresAt: string
    }[]
    const [row] = listed.filter((s) => s.key === 'shared/plan.txt')
    expect(row?.downloads).toBe(1)
    expect(Date.parse(row?.expiresAt ?? '') - Date.now()).toBeGreaterThan(7000_000)
    const table = (await cli.coffer(['shares', 'ls', 'documents'])).stdout
    expect(table).toMatch(
      new RegExp(`^${row?.id}\\s+documents/shared/plan\\.txt\\s+first admin key\\s+\\S+\\s+1/3$`, 'm'),
    )
    const byName = JSON.parse(
      (await cli.coffer(['shares', 'ls', '--name', 'first admin key', '--json'])).stdout,
    )
    expect(byName.map((s: { id: string }) => s.id)).toContain(row?.id)

    expect((await cli.coffer(['shares', 'revoke', 'documents', row?.id ?? ''])).code).toBe(0)
    expect((await fetch(url)).status).toBe(404)
    expect((await cli.coffer(['shares', 'revoke', 'documents', row?.id ?? ''])).code).toBe(0)
  })

  it('refuses a bad limit before asking, and an expiry past the bucket maximum in words', async () => {
    const bad = await cli.coffer(['share', '--max-downloads', '0', 'coffer://documents/x.txt'])
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toMatch(/--max-downloads is a whole number from 1/)
    await cli.put('documents', 'shared/long.txt', 'x')
    const long = await cli.coffer(['share', '--expires', '30d', 'coffer://documents/shared/long.txt'])
    expect(long.code).not.toBe(0)
    expect(long.stderr).toContain('last 7 days at most')
    // The bucket's policy allows longer links; none goes back to the service's 7 days.
    const raised = await cli.coffer(['buckets', 'update', 'documents', '--max-share', '30d', '--json'])
    expect(JSON.parse(raised.stdout).maxShareSeconds).toBe(30 * 86400)
    expect((await cli.coffer(['share', '--expires', '30d', 'coffer://documents/shared/long.txt'])).code).toBe(
      0,
    )
    const reset = await cli.coffer(['buckets', 'update', 'documents', '--max-share', 'none', '--json'])
    expect(JSON.parse(reset.stdout).maxShareSeconds).toBeUndefined()
  })
})
