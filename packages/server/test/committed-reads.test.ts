import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readObjectIntegrity } from '../src/catalog/object-integrity.ts'
import { openDatabase } from '../src/index.ts'

const row = (key: string, etag: string) => ({
  bucket: 'documents',
  key,
  size: 4,
  etag,
  sha256: null,
  content_type: 'text/plain',
  media_type: 'text/plain',
  visibility: 'private',
  metadata: '{}',
  owner: null,
  created_at: '2026-12-06T00:00:00.000Z',
  updated_at: '2026-12-06T00:00:00.000Z',
})

describe('hot-path reads of the embedded index', () => {
  it('see committed rows at once, and never a transaction in progress or rolled back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-reads-'))
    const db = await openDatabase({ dataDir: dir })
    try {
      await db.insertInto('objects').values(row('a.txt', 'aa')).execute()
      expect(await readObjectIntegrity(db, 'documents', 'a.txt')).toMatchObject({ etag: 'aa', tagCount: 0 })
      const seenInside: unknown[] = []
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('objects').set({ etag: 'bb', tags: '[{"Key":"k","Value":"v"}]' }).execute()
        await trx.insertInto('objects').values(row('b.txt', 'cc')).execute()
        seenInside.push(await readObjectIntegrity(db, 'documents', 'a.txt'))
        seenInside.push(await readObjectIntegrity(db, 'documents', 'b.txt'))
      })
      expect(seenInside).toEqual([expect.objectContaining({ etag: 'aa', tagCount: 0 }), undefined])
      expect(await readObjectIntegrity(db, 'documents', 'a.txt')).toMatchObject({ etag: 'bb', tagCount: 1 })
      expect(await readObjectIntegrity(db, 'documents', 'b.txt')).toMatchObject({ etag: 'cc' })
      await expect(
        db.transaction().execute(async (trx) => {
          await trx.deleteFrom('objects').where('key', '=', 'b.txt').execute()
          throw new Error('rolled back')
        }),
      ).rejects.toThrow('rolled back')
      expect(await readObjectIntegrity(db, 'documents', 'b.txt')).toMatchObject({ etag: 'cc' })
    } finally {
      await db.destroy()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
