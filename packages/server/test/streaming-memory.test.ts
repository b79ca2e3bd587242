import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Started, startProcess } from './spawned-service.ts'

/** Size of the object streamed through the service; `COFFER_E2E_MIB` overrides it. */
const MIB = Number(process.env.COFFER_E2E_MIB ?? 1024)
/** How much the service's peak RSS may grow while the object streams, whatever the object's size. */
const GROWTH_LIMIT = 128 * 1024 * 1024
const ADMIN = `cfr_${'memory-test-admin-key-'.repeat(2)}`

/** Peak resident memory of a process (Linux: VmHWM in /proc/<pid>/status). */
async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) * 1024
}

/** `MIB` MiB of varied bytes, produced as they are read, hashed on the way out. */
function generated(hash: ReturnType<typeof createHash>): ReadableStream<Uint8Array> {
  const block = randomBytes(1024 * 1024)
  let sent = 0
  return new ReadableStream({
    pull(controller) {
      if (sent === MIB) return controller.close()
      const chunk = Buffer.from(block)
      chunk.writeUInt32BE(sent, 0)
      sent++
      hash.update(chunk)
      controller.enqueue(chunk)
    },
  })
}

describe(`a ${MIB} MiB object through the service (fs driver, SQLite)`, () => {
  let dataDir: string
  let service: Started

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'coffer-memory-'))
    service = await startProcess({
      COFFER_DATA_DIR: dataDir,
      COFFER_ADMIN_KEY: ADMIN,
      COFFER_LOG_LEVEL: 'warn',
    })
  })
  afterAll(async () => {
    service?.child.kill('SIGTERM')
    await service?.exited
    await rm(dataDir, { recursive: true, force: true })
  })

  it('streams up and down with bounded memory and intact bytes', { timeout: 300_000 }, async () => {
    const url = `${service.url}/v1/buckets/documents/objects/big/blob.bin`
    const headers = { authorization: `Bearer ${ADMIN}` }
    // Warm up (code paths, pools, the index) before taking the baseline.
    await (await fetch(url, { method: 'PUT', headers, body: randomBytes(1024 * 1024) })).arrayBuffer()
    await (await fetch(url, { headers })).arrayBuffer()
    const baseline = await peakRss(service.child.pid as number)
    const sent = createHash('sha256')
    const put = await fetch(url, {
      method: 'PUT',
      headers,
      body: generated(sent),
      duplex: 'half',
    } as RequestInit)
    expect(put.status).toBe(200)
    const digest = sent.digest('hex')
    expect(await put.json()).toMatchObject({ size: MIB * 1024 * 1024, sha256: digest })

    const get = await fetch(url, { headers })
    expect(get.headers.get('content-length')).toBe(String(MIB * 1024 * 1024))
    const received = createHash('sha256')
    for await (const chunk of get.body as unknown as AsyncIterable<Uint8Array>) received.update(chunk)
    expect(received.digest('hex')).toBe(digest)

    const growth = (await peakRss(service.child.pid as number)) - baseline
    expect(growth).toBeLessThan(GROWTH_LIMIT)

    // The same object in a zip (stored, its length known up front), streamed out with the same
    // bound: the archive is never whole in memory.
    const link = await fetch(`${service.url}/v1/buckets/documents/zip`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ keys: ['big/'], base: 'big/' }),
    })
    expect(link.status).toBe(200)
    const { url: zipUrl } = (await link.json()) as { url: string }
    const zip = await fetch(`${service.url}${zipUrl}`)
    expect(zip.headers.get('content-type')).toBe('application/zip')
    let zipped = 0
    for await (const chunk of zip.body as unknown as AsyncIterable<Uint8Array>) zipped += chunk.byteLength
    expect(zipped).toBeGreaterThan(MIB * 1024 * 1024)
    expect(Number(zip.headers.get('content-length'))).toBe(zipped)
    expect((await peakRss(service.child.pid as number)) - baseline).toBeLessThan(GROWTH_LIMIT)
  })
})
