import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { S3TestServer } from './s3-test-server.ts'

// setpriv has the kernel SIGKILL s3rver when the test process dies, even by SIGKILL.
const pdeathsig = spawnSync('setpriv', ['--help']).status === 0

/**
 * Starts s3rver (a Node S3 emulator) as a child process on 127.0.0.1, on `opts.port` or an
 * ephemeral port, storing into a fresh temp directory under `opts.dir` (default the OS temp dir).
 * Credentials are S3RVER/S3RVER, but it accepts any signature (`verifiesSignatures: false`).
 */
export async function startS3rver(opts: { dir?: string; port?: number } = {}): Promise<S3TestServer> {
  // Resolved here, not on import: s3rver is an optional peer of this entry point (Ceph needs none).
  const s3rverBin = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js')
  const dir = mkdtempSync(join(opts.dir ?? tmpdir(), 'coffer-s3rver-'))
  const args = [s3rverBin, '-d', dir, '-a', '127.0.0.1', '-p', String(opts.port ?? 0), '--silent']
  const child = spawn(
    pdeathsig ? 'setpriv' : process.execPath,
    [...(pdeathsig ? ['--pdeathsig', 'KILL', '--', process.execPath] : []), ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      // s3rver makes listing continuation tokens with DES, which current OpenSSL only has in the
      // legacy provider: without it every truncated listing fails with 500. A child process is
      // needed since the flag can't be turned on inside a running Node. Own NODE_OPTIONS only, so
      // nothing the test runner put there is inherited.
      env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
    },
  )
  const killOnExit = () => child.kill('SIGKILL')
  process.on('exit', killOnExit)
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  const stop = async () => {
    process.off('exit', killOnExit)
    // No 'close' to wait for if it never started.
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
    await rm(dir, { recursive: true, force: true })
  }

  let output = ''
  child.stderr.on('data', (c: Buffer) => (output += c))
  child.stdout.on('data', (c: Buffer) => (output += c))
  let timer: NodeJS.Timeout | undefined
  try {
    // Its CLI prints "S3rver listening on 127.0.0.1:PORT" (even with --silent) once bound.
    const port = await new Promise<number>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error('no "listening" line within 10 s')), 10_000)
      child.stdout.on('data', () => {
        const m = /listening on [\d.]+:(\d+)/.exec(output)
        if (m) resolve(Number(m[1]))
      })
      child.once('close', (code, signal) => reject(new Error(`s3rver exited (${code ?? signal})`)))
      child.once('error', reject)
    })
    clearTimeout(timer)
    const endpoint = `http://127.0.0.1:${port}`
    const res = await fetch(endpoint, { signal: AbortSignal.timeout(5000) })
    await res.body?.cancel()
    if (!res.ok) throw new Error(`GET / answered ${res.status}`)
    const key = 'S3RVER'
    const server = { endpoint, region: 'us-east-1', accessKeyId: key, secretAccessKey: key }
    return { name: 's3rver', ...server, verifiesSignatures: false, stop }
  } catch (err) {
    clearTimeout(timer)
    await stop()
    throw new Error(`startS3rver failed: ${(err as Error).message}\n${output.trimEnd()}`, { cause: err })
  }
}
