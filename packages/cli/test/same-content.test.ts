import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LocalFile } from '../src/transfer/local-tree.ts'
import type { RemoteObject } from '../src/transfer/remote-tree.ts'
import { sameContent } from '../src/transfer/same-content.ts'

const BYTES = Buffer.from('the same eleven')
const digest = (algorithm: string, bytes: Buffer) => createHash(algorithm).update(bytes).digest('hex')
const NOON = Date.parse('2026-12-02T12:00:00.000Z')

let dir: string
let file: LocalFile
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coffer-same-'))
  const path = join(dir, 'f.bin')
  await writeFile(path, BYTES)
  file = { path, size: BYTES.length, mtimeMs: NOON + 400 }
})
afterAll(() => rm(dir, { recursive: true, force: true }))

/** An object like the file, changed by `patch`. */
const object = (patch: Partial<RemoteObject>): RemoteObject => ({
  key: 'f.bin',
  size: BYTES.length,
  etag: '"0123456789abcdef0123456789abcdef-2"',
  lastModified: new Date(NOON).toISOString(),
  ...patch,
})

describe('sameContent', () => {
  it('differs on size, whatever else matches', async () => {
    const sha256 = digest('sha256', BYTES)
    expect(await sameContent(file, object({ size: BYTES.length + 1, sha256 }), 'up')).toBe(false)
  })

  it("compares the listing's sha256 first", async () => {
    expect(await sameContent(file, object({ sha256: digest('sha256', BYTES) }), 'up')).toBe(true)
    const other = digest('sha256', Buffer.from('other bytes....'))
    expect(await sameContent(file, object({ sha256: other, etag: `"${digest('md5', BYTES)}"` }), 'up')).toBe(
      false,
    )
  })

  it('compares an md5 etag when there is no sha256', async () => {
    expect(await sameContent(file, object({ etag: `"${digest('md5', BYTES)}"` }), 'down')).toBe(true)
    expect(await sameContent(file, object({ etag: `"${digest('md5', Buffer.from('x'))}"` }), 'down')).toBe(
      false,
    )
  })

  it('falls back to times for a multipart etag: up, the object must not be older; down, the same second', async () => {
    expect(await sameContent(file, object({}), 'up')).toBe(true)
    expect(await sameContent(file, object({ lastModified: new Date(NOON - 1000).toISOString() }), 'up')).toBe(
      false,
    )
    expect(await sameContent(file, object({}), 'down')).toBe(true)
    expect(
      await sameContent(file, object({ lastModified: new Date(NOON + 5000).toISOString() }), 'down'),
    ).toBe(false)
  })
})
