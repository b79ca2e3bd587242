import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createStorage, fsDriver } from '@coffer/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { filesUnder, type Harness, json, startHarness } from './harness.ts'

/**
 * Symbolic links planted inside the fs driver's data root (by another process or user with access
 * to it) point outside; no request may read, list, write or delete through them.
 */
describe('symbolic links in the data root (fs driver, sqlite)', () => {
  let h: Harness
  let outside: string
  beforeAll(async () => {
    h = await startHarness('sqlite')
    // Elsewhere on the machine: a valid object file, which the service must never serve.
    outside = await mkdtemp(join(tmpdir(), 'coffer-outside-'))
    const elsewhere = createStorage({ driver: fsDriver({ root: outside, fsync: false }) })
    await elsewhere.upload(Buffer.from('the secret'), { key: 'secret.txt', contentType: 'text/plain' })
    await elsewhere.close()
    const bucketDir = join(h.filesDir, 'objects', 'documents')
    await mkdir(bucketDir, { recursive: true })
    await symlink(join(outside, 'objects'), join(bucketDir, 'linked'))
    await symlink(join(outside, 'objects', 'secret.txt~'), join(bucketDir, 'file.txt~'))
  })
  afterAll(async () => {
    await h?.close()
    await rm(outside, { recursive: true, force: true })
  })

  const objectUrl = (key: string) => `/v1/buckets/documents/objects/${key}`

  it('does not read an object through a link', async () => {
    for (const key of ['linked/secret.txt', 'file.txt']) {
      for (const method of ['GET', 'HEAD']) {
        const response = await h.fetch(objectUrl(key), { method, token: h.admin })
        expect(response.status, `${method} ${key}`).toBeGreaterThanOrEqual(400)
        expect(response.status, `${method} ${key}`).toBeLessThan(500)
        expect(await response.text()).not.toContain('the secret')
      }
    }
  })

  it('does not list into a link', async () => {
    for (const prefix of ['', 'linked/', 'linked/sec']) {
      const response = await h.fetch(`/v1/buckets/documents/objects?source=store&prefix=${prefix}`, {
        token: h.admin,
      })
      expect(response.status).toBe(200)
      const { objects } = (await response.json()) as { objects: { key: string }[] }
      expect(objects.map((o) => o.key)).toEqual([])
    }
  })

  it('does not write, copy, move or delete through a link', async () => {
    for (const key of ['linked/new.txt', 'linked/deeper/new.txt']) {
      const put = await h.fetch(objectUrl(key), { method: 'PUT', token: h.admin, body: 'planted' })
      expect(put.status, key).toBeGreaterThanOrEqual(400)
    }
    // A write at a key whose file is a link replaces the link (rename), never writes through it.
    const replaced = await h.fetch(objectUrl('file.txt'), { method: 'PUT', token: h.admin, body: 'mine' })
    expect(replaced.status).toBe(200)
    expect(await (await h.fetch(objectUrl('file.txt'), { token: h.admin })).text()).toBe('mine')
    const copied = await h.fetch(
      '/v1/buckets/documents/copy',
      json({ from: 'linked/secret.txt', to: 'copy.txt' }, { token: h.admin }),
    )
    expect(copied.status).toBeGreaterThanOrEqual(400)
    const moved = await h.fetch(
      '/v1/buckets/documents/move',
      json({ from: 'linked/secret.txt', to: 'moved.txt' }, { token: h.admin }),
    )
    expect(moved.status).toBeGreaterThanOrEqual(400)
    await h.fetch(objectUrl('linked/secret.txt'), { method: 'DELETE', token: h.admin })
    await h.fetch('/v1/buckets/documents/delete', json({ prefix: 'linked/' }, { token: h.admin }))
    // Outside the root, everything is as it was: one object, no new file or directory.
    expect(await filesUnder(outside)).toEqual(['objects/secret.txt~'])
    expect(await readdir(join(outside, 'objects'))).toEqual(['secret.txt~'])
    // Nothing was copied or moved into the bucket either.
    expect((await h.stored('documents')).filter((f) => !f.startsWith('file.txt'))).toEqual([])
  })
})
