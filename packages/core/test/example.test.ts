import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)

describe('the README library example', () => {
  it('runs from a plain .mjs script with the project Node, importing @coffer/core', async () => {
    const script = fileURLToPath(new URL('../../../examples/library.mjs', import.meta.url))
    const { stdout } = await run(process.execPath, [script], { timeout: 30_000 })
    expect(stdout).toContain('already there')
    expect(stdout).toMatch(/\[ 'documents\/', 'exports\/' \]/)
    expect(stdout).toMatch(/avatars\/u_7\/[0-9a-z]{26}-photo-de-profil\.jpg/)
    expect(stdout).toContain('InvalidKey')
  })
})
