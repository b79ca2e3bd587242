import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { START_FLAGS } from '../src/service/heap-tuning.ts'
import { MAIN } from './spawned-service.ts'

/** What a person sees in a terminal, line ends as the terminal writes them (CR LF) made plain. */
interface Terminal {
  screen: () => string
  url: () => string | undefined
  /** Types Ctrl-C, as a person stops `npm start`, and resolves with the exit status. */
  interrupt: () => Promise<number | null>
  /** Kills the service if it still runs (a failed test must leave no process behind). */
  kill: () => void
}

/**
 * Runs the service as `npm start` does, but under a pseudo-terminal (util-linux `script`), so that
 * stdout is a TTY as on a person's screen: the admin key and the log format depend on it.
 */
async function startOnTerminal(dataDir: string): Promise<Terminal> {
  // The shell names its pid, which `exec` hands to the service: `script` alone may die and leave it.
  const service = [process.execPath, ...START_FLAGS, MAIN].map((word) => `'${word}'`).join(' ')
  const command = `echo "service pid $$"; exec ${service}`
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    env: { PATH: process.env.PATH ?? '', TERM: 'dumb', PORT: '0', COFFER_DATA_DIR: dataDir },
  })
  let screen = ''
  child.stdout.on('data', (chunk: Buffer) => {
    screen += chunk.toString().replaceAll('\r\n', '\n')
  })
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  const url = () => /Coffer listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(screen)?.[1]
  const kill = () => {
    const pid = Number(/service pid (\d+)/.exec(screen)?.[1])
    // `script` outlives its child, so while it runs the pid is still the service's.
    if (pid > 0 && child.exitCode === null) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
    child.kill('SIGKILL')
  }
  const deadline = Date.now() + 20_000
  while (url() === undefined && Date.now() < deadline && child.exitCode === null)
    await new Promise((resolve) => setTimeout(resolve, 50))
  if (url() === undefined) {
    kill()
    throw new Error(`no listening line on the terminal: ${screen}`)
  }
  const interrupt = async () => {
    child.stdin.write('\x03')
    const timer = setTimeout(kill, 15_000)
    const code = await exited
    clearTimeout(timer)
    return code
  }
  return { screen: () => screen, url, interrupt, kill }
}

describe('`npm start` on a terminal', () => {
  let dataDir: string
  const started: Terminal[] = []
  afterEach(() => {
    for (const terminal of started.splice(0)) terminal.kill()
  })

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'coffer-terminal-'))
  })
  afterAll(() => rm(dataDir, { recursive: true, force: true }))

  it('shows the first admin key once, in a block of its own, after readable log lines', async () => {
    const first = await startOnTerminal(dataDir)
    started.push(first)
    const screen = first.screen()
    const block =
      /\n\nCoffer's first admin API key \(shown once; keep it safe\):\n\n {2}(cfr_[\w-]{43})\n\nUse it as "Authorization: Bearer <key>"\. Set COFFER_ADMIN_KEY to choose your own instead\.\n\n/.exec(
        screen,
      )
    expect(block, screen).not.toBeNull()
    const token = block?.[1] ?? ''
    // The block comes once every listener is up, and the listening lines follow it.
    expect(screen.indexOf('Coffer listening at')).toBeGreaterThan(screen.indexOf(token))
    // Log lines for people, not JSON, when nobody asked for a format.
    const logLines = screen.split('\n').filter((line) => /^\[\d\d:\d\d:\d\d\] /.test(line))
    expect(logLines.length).toBeGreaterThan(0)
    expect(screen).not.toMatch(/^\{"level"/m)
    // On a screen the key is not also written to a file.
    await expect(stat(join(dataDir, 'first-admin-key'))).rejects.toMatchObject({ code: 'ENOENT' })
    const buckets = await fetch(`${first.url()}/v1/buckets`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(buckets.status).toBe(200)
    expect(await first.interrupt()).toBe(0)

    // Shown once: the next start on the same data dir shows no key.
    const second = await startOnTerminal(dataDir)
    started.push(second)
    expect(second.screen()).not.toContain('cfr_')
    expect(second.screen()).not.toContain('admin API key')
    expect(await second.interrupt()).toBe(0)
  })
})
