import { spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { finished, MAIN, useCli } from './cli-fixture.ts'

const cli = useCli()
const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`

/**
 * Runs the CLI on a pseudo-terminal (util-linux `script`). With `answer`, types `answer.input` once
 * `answer.prompt` has been printed: typed earlier, the terminal would echo it before the CLI could
 * turn echo off.
 */
function onTerminal(
  args: string[],
  options: { answer?: { prompt: string; input: string }; env?: Record<string, string | undefined> } = {},
) {
  const command = [process.execPath, MAIN, ...args].map(quote).join(' ')
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...cli.env,
    TERM: 'xterm',
    ...options.env,
  }
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name]
  const child = spawn('script', ['-qec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
  const { answer } = options
  let seen = ''
  let answered = answer === undefined
  child.stdout?.on('data', (chunk: Buffer) => {
    seen += chunk
    if (answered || !seen.includes(answer?.prompt ?? '')) return
    answered = true
    child.stdin?.write(answer?.input)
  })
  return finished(child)
}

describe('output', () => {
  it('draws progress bars on a terminal, and plain lines without one', async () => {
    const file = join(cli.dir, 'three.bin')
    await writeFile(file, Buffer.alloc(3 * 1024 * 1024, 7))
    const tty = await onTerminal(['cp', file, 'coffer://documents/tty/three.bin'])
    expect(tty.code).toBe(0)
    expect(tty.stdout).toContain('\x1b[?25l') // the cursor hidden while bars are drawn
    // Speed and time left show once the transfer has run a second; dashes before that.
    expect(tty.stdout).toMatch(
      /█+ 100% \| 3\.0 MiB \/ 3\.0 MiB \| (?:-|[\d.]+ [KMG]?i?B)\/s, \S+ left \| upload .*three\.bin/,
    )
    expect(tty.stdout).toContain('\x1b[?25h') // and shown again
    expect(tty.stdout).toMatch(/upload .*three\.bin → coffer:\/\/documents\/tty\/three\.bin \(3\.0 MiB\)/)

    const plain = await cli.coffer(['cp', file, 'coffer://documents/tty/plain.bin'])
    expect(plain.code).toBe(0)
    expect(plain.stdout).not.toContain('\x1b')
    expect(plain.stdout).not.toContain('█')
    expect(plain.stdout).toMatch(
      /^upload \S+three\.bin → coffer:\/\/documents\/tty\/plain\.bin \(3\.0 MiB\)\n$/,
    )
  })

  it('asks before rm -r on a terminal, and deletes only on yes', async () => {
    await cli.put('documents', 'ask/a.txt', 'a')
    const prompt = '[y/N] '
    const no = await onTerminal(['rm', '-r', 'coffer://documents/ask/'], { answer: { prompt, input: 'n\n' } })
    expect(no.stdout).toContain('delete every object under coffer://documents/ask/? [y/N]')
    expect(no.code).toBe(1)
    expect(await cli.keys('documents', 'ask/')).toEqual(['ask/a.txt'])
    const yes = await onTerminal(['rm', '-r', 'coffer://documents/ask/'], {
      answer: { prompt, input: 'y\n' },
    })
    expect(yes.code).toBe(0)
    expect(await cli.keys('documents', 'ask/')).toEqual([])
  })

  it('asks for the key at login on a terminal without echoing it', async () => {
    const answer = { prompt: 'API key (not shown): ', input: `${cli.harness.admin}\n` }
    const run = await onTerminal(['login', '--profile', 'typed'], { answer, env: { COFFER_KEY: undefined } })
    expect(run.code).toBe(0)
    console.log('OUT', JSON.stringify(run.stdout))
    expect(run.stdout).toContain(answer.prompt)
    expect(run.stdout).not.toContain(cli.harness.admin)
    const saved = JSON.parse(await readFile(join(cli.env.XDG_CONFIG_HOME, 'coffer', 'typed.json'), 'utf8'))
    expect(saved.key).toBe(cli.harness.admin)
  })

  it('gives --json on every listing command', async () => {
    for (const args of [['ls'], ['ls', 'coffer://documents/'], ['buckets', 'ls'], ['keys', 'ls']]) {
      const run = await cli.coffer([...args, '--json'])
      expect(run.code).toBe(0)
      expect(() => JSON.parse(run.stdout)).not.toThrow()
    }
  })
})
