import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Started, startProcess } from './spawned-service.ts'

/** The request lines (JSON) the service has written to stdout so far. */
function requestLines(service: Started): { msg: string; url: string; status: number }[] {
  return service
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg: string; url: string; status: number })
    .filter((line) => line.msg === 'request')
}

async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (check()) return true
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return check()
}

describe('the service writes its log lines in batches', () => {
  let dataDir = ''
  let service: Started
  const adminKey = `admin-${'l'.repeat(40)}`

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'coffer-logs-'))
    service = await startProcess({ COFFER_DATA_DIR: dataDir, COFFER_ADMIN_KEY: adminKey })
  })
  afterAll(async () => {
    if (service?.child.exitCode === null) {
      service.child.kill('SIGKILL')
      await service.exited
    }
    await rm(dataDir, { recursive: true, force: true })
  })

  it('a lone request line still reaches stdout soon, without more traffic to fill the batch', async () => {
    const res = await fetch(`${service.url}/healthz?lone=1`)
    expect(res.status).toBe(200)
    // Batches are written when full or every 250 ms: a quiet service must not hold a line back.
    expect(await eventually(() => requestLines(service).some((l) => l.url === '/healthz?lone=1'), 5000)).toBe(
      true,
    )
  })

  it('every line of a burst arrives whole and in order, and the last ones are written at exit', async () => {
    const burst = Array.from({ length: 300 }, (_, i) => `/healthz?n=${i}`)
    for (let i = 0; i < burst.length; i += 50) {
      await Promise.all(
        burst.slice(i, i + 50).map(async (path) => (await fetch(service.url + path)).arrayBuffer()),
      )
    }
    await fetch(`${service.url}/healthz?last=1`)
    // Stopped at once: the line of the last request may still be in the batch, and must not be lost.
    service.child.kill('SIGTERM')
    expect(await service.exited).toBe(0)
    const urls = requestLines(service).map((l) => l.url)
    for (const path of [...burst, '/healthz?last=1']) expect(urls).toContain(path)
    expect(urls.filter((u) => u.startsWith('/healthz?n=')).length).toBe(burst.length)
    expect(service.stdout()).toContain('"msg":"shutting down"')
  })
})
