import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { createServer, request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createStorage, fsDriver } from '@coffer/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAIN, RECONCILE, startProcess } from './spawned-service.ts'

describe('the service started like `npm start`', () => {
  let dataDir: string

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'coffer-start-'))
  })
  afterAll(() => rm(dataDir, { recursive: true, force: true }))

  it('exits with status 1 and one line per bad setting', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', PORT: 'x', COFFER_DRIVER: 'ftp' },
    })
    let err = ''
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString()
    })
    const [code] = await once(child, 'exit')
    expect(code).toBe(1)
    expect(err).toContain('PORT must be a whole number')
    expect(err).toContain('COFFER_DRIVER must be fs, memory or s3')
  })

  it('on first start makes the data dir, writes the admin key to a 0600 file, and stops cleanly on SIGTERM', async () => {
    const first = await startProcess({ COFFER_DATA_DIR: dataDir })
    // stdout is a pipe here, as with a log collector: the key goes to a file, stdout names the file.
    const keyFile = join(dataDir, 'first-admin-key')
    expect(first.stdout()).toContain('"first-admin-key"')
    expect(first.stdout()).not.toContain('cfr_')
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600)
    const token = (await readFile(keyFile, 'utf8')).trim()
    expect(token).toMatch(/^cfr_[\w-]{43}$/)
    const buckets = await fetch(`${first.url}/v1/buckets`, { headers: { authorization: `Bearer ${token}` } })
    expect(buckets.status).toBe(200)
    expect((await stat(join(dataDir, 'signing-secret'))).mode & 0o777).toBe(0o600)
    await stat(join(dataDir, 'coffer.db'))

    // SIGTERM while an upload is in flight: the upload completes, then the process exits 0.
    const { hostname, port } = new URL(first.url)
    const upload = httpRequest({
      hostname,
      port,
      method: 'PUT',
      path: '/v1/buckets/documents/objects/late.txt',
      headers: { authorization: `Bearer ${token}`, 'content-length': '10' },
    })
    const answered = once(upload, 'response')
    upload.write('hello')
    await new Promise((resolve) => setTimeout(resolve, 200))
    first.child.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 200))
    upload.end('world')
    const [response] = (await answered) as [import('node:http').IncomingMessage]
    expect(response.statusCode).toBe(200)
    expect(await first.exited).toBe(0)

    const second = await startProcess({ COFFER_DATA_DIR: dataDir })
    expect(second.stdout()).not.toContain('cfr_')
    const object = await fetch(`${second.url}/v1/buckets/documents/objects/late.txt`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(await object.text()).toBe('helloworld')
    second.child.kill('SIGTERM')
    expect(await second.exited).toBe(0)
  })

  it('a port in use: one line naming the setting, status 1, and no admin key made before it listens', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-port-taken-'))
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as AddressInfo).port
    try {
      const child = spawn(process.execPath, [MAIN], {
        env: { PATH: process.env.PATH ?? '', PORT: String(port), COFFER_DATA_DIR: dir },
      })
      let out = ''
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString()
      })
      let err = ''
      child.stderr.on('data', (chunk: Buffer) => {
        err += chunk.toString()
      })
      const [code] = await once(child, 'exit')
      expect(code).toBe(1)
      expect(err.trim()).toBe(`coffer: port ${port} is in use on 127.0.0.1: set PORT to another port`)
      expect(out).not.toContain('admin')
      await expect(stat(join(dir, 'first-admin-key'))).rejects.toMatchObject({ code: 'ENOENT' })
      // The next start, on a free port, is still the first: it makes the key and shows it.
      const next = await startProcess({ COFFER_DATA_DIR: dir })
      const token = (await readFile(join(dir, 'first-admin-key'), 'utf8')).trim()
      const buckets = await fetch(`${next.url}/v1/buckets`, { headers: { authorization: `Bearer ${token}` } })
      expect(buckets.status).toBe(200)
      next.child.kill('SIGTERM')
      expect(await next.exited).toBe(0)
    } finally {
      taken.close()
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('writes readable log lines with COFFER_LOG_FORMAT=pretty (the default on a terminal)', async () => {
    const adminKey = 'operator-chosen-key-'.repeat(2)
    const started = await startProcess({
      COFFER_DATA_DIR: dataDir,
      COFFER_ADMIN_KEY: adminKey,
      COFFER_LOG_FORMAT: 'pretty',
    })
    await fetch(`${started.url}/healthz?pretty=1`)
    started.child.kill('SIGTERM')
    expect(await started.exited).toBe(0)
    const line = started
      .stdout()
      .split('\n')
      .find((l) => l.includes('/healthz?pretty=1'))
    expect(line).toBeDefined()
    expect(line?.startsWith('{')).toBe(false)
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\] INFO/)
    expect(started.stdout()).not.toContain(adminKey)
  })

  it('takes the admin key from COFFER_ADMIN_KEY', async () => {
    // Any long token the operator chooses, not only the `cfr_` form of generated keys.
    const adminKey = 'operator-chosen-key-'.repeat(2)
    const started = await startProcess({ COFFER_DATA_DIR: dataDir, COFFER_ADMIN_KEY: adminKey })
    const response = await fetch(`${started.url}/v1/keys`, {
      headers: { authorization: `Bearer ${adminKey}` },
    })
    expect(response.status).toBe(200)
    started.child.kill('SIGTERM')
    expect(await started.exited).toBe(0)
  })
  it('refuses to start with a revoked COFFER_ADMIN_KEY; a new one does not revive its URLs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-revoked-'))
    const adminKey = 'an-admin-key-to-revoke-'.repeat(2)
    const auth = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' })
    try {
      const first = await startProcess({ COFFER_DATA_DIR: dir, COFFER_ADMIN_KEY: adminKey })
      await fetch(`${first.url}/v1/buckets/documents/objects/a.txt`, {
        method: 'PUT',
        headers: auth(adminKey),
        body: 'a',
      })
      const signed = await fetch(`${first.url}/v1/buckets/documents/sign`, {
        method: 'POST',
        headers: auth(adminKey),
        body: JSON.stringify({ key: 'a.txt', method: 'GET', expiresIn: 600 }),
      })
      const { url } = (await signed.json()) as { url: string }
      expect((await fetch(url)).status).toBe(200)
      first.child.kill('SIGTERM')
      expect(await first.exited).toBe(0)

      // Another COFFER_ADMIN_KEY is another key, though its id is env-admin again.
      const rotated = 'a-second-admin-key-chosen-'.repeat(2)
      const second = await startProcess({ COFFER_DATA_DIR: dir, COFFER_ADMIN_KEY: rotated })
      const relative = url.slice(url.indexOf('/signed/'))
      expect((await fetch(`${second.url}${relative}`)).status).toBe(403)
      const revoke = await fetch(`${second.url}/v1/keys/env-admin`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${rotated}` },
      })
      expect(revoke.status).toBe(204)
      second.child.kill('SIGTERM')
      expect(await second.exited).toBe(0)

      const refused = await startProcess({ COFFER_DATA_DIR: dir, COFFER_ADMIN_KEY: rotated }).then(
        () => 'started',
        (error: Error) => error.message,
      )
      expect(refused).toContain('exited with 1')
      expect(refused).toContain('COFFER_ADMIN_KEY was revoked')
      expect(refused).not.toContain(rotated)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('serves user content on a second listener of its own, which signed URLs name', async () => {
    const adminKey = 'operator-chosen-key-'.repeat(2)
    const started = await startProcess({ COFFER_DATA_DIR: dataDir, COFFER_ADMIN_KEY: adminKey })
    const contentUrl = /User content \(public and signed URLs\) served at (http:\/\/127\.0\.0\.1:\d+)/.exec(
      started.stdout(),
    )?.[1] as string
    expect(contentUrl).toBeDefined()
    expect(contentUrl).not.toBe(started.url)
    const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }
    await fetch(`${started.url}/v1/buckets/documents/objects/c.txt`, { method: 'PUT', headers, body: 'c' })
    const signed = await fetch(`${started.url}/v1/buckets/documents/sign`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ key: 'c.txt', method: 'GET', expiresIn: 60 }),
    })
    const { url } = (await signed.json()) as { url: string }
    expect(url.startsWith(`${contentUrl}/signed/documents/c.txt?`)).toBe(true)
    expect(await (await fetch(url)).text()).toBe('c')
    started.child.kill('SIGTERM')
    expect(await started.exited).toBe(0)
  })

  it('repairs the index once with the reconcile entry point (npm run reconcile), as JSON', async () => {
    // An object written behind the service's back, into the data dir the previous tests used.
    const storage = createStorage({ driver: fsDriver({ root: join(dataDir, 'files') }) })
    await storage.upload('behind the back', { key: 'documents/added.txt' })
    await storage.close()
    const child = spawn(process.execPath, [RECONCILE, 'documents'], {
      env: { PATH: process.env.PATH ?? '', COFFER_DATA_DIR: dataDir },
    })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    const [code] = await once(child, 'exit')
    expect(code).toBe(0)
    expect(JSON.parse(out)).toMatchObject({ buckets: 1, added: 1, changes: ['+ documents/added.txt'] })
  })

  it('fills an empty index from the store at start (an upgrade from a version without the index)', async () => {
    const upgraded = await mkdtemp(join(tmpdir(), 'coffer-upgrade-'))
    try {
      const storage = createStorage({ driver: fsDriver({ root: join(upgraded, 'files') }) })
      await storage.upload('kept before the index', { key: 'documents/old.txt' })
      await storage.close()
      const adminKey = 'operator-chosen-key-'.repeat(2)
      const started = await startProcess({ COFFER_DATA_DIR: upgraded, COFFER_ADMIN_KEY: adminKey })
      let keys: string[] = []
      // Bounded: 100 looks, 50 ms apart.
      for (let look = 0; look < 100 && keys.length === 0; look++) {
        const response = await fetch(`${started.url}/v1/buckets/documents/objects`, {
          headers: { authorization: `Bearer ${adminKey}` },
        })
        keys = ((await response.json()) as { objects: { key: string }[] }).objects.map((o) => o.key)
        if (keys.length === 0) await new Promise((resolve) => setTimeout(resolve, 50))
      }
      expect(keys).toEqual(['old.txt'])
      started.child.kill('SIGTERM')
      expect(await started.exited).toBe(0)
    } finally {
      await rm(upgraded, { recursive: true, force: true })
    }
  })
})
