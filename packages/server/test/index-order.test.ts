import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ObjectInfo } from '@coffer/core'
import { describe, expect, it } from 'vitest'
import { ObjectCatalog, SYSTEM } from '../src/catalog/object-catalog.ts'
import { openDatabase } from '../src/index.ts'

function info(size: number, etag: string, lastModified: Date): ObjectInfo {
  return {
    key: 'report.pdf',
    size,
    etag,
    contentType: 'application/pdf',
    lastModified,
    metadata: {},
    visibility: 'private',
    checksum: { sha256: etag.replaceAll('"', '').padEnd(64, '0') },
  }
}

describe('the order of index writes', () => {
  it('keeps the last committed upload of a key, whatever the store’s clock says', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-order-'))
    const db = await openDatabase({ dataDir: dir })
    try {
      const index = new ObjectCatalog(db)
      // A single PUT stamps milliseconds; the multipart upload that follows within the same second
      // carries S3's whole-second Last-Modified, earlier on the clock.
      const second = new Date('2026-12-05T12:00:00.000Z')
      const action = { action: 'object.put', bucket: 'documents', key: 'report.pdf' }
      await index.put('documents', info(10, '"aa"', new Date(second.getTime() + 700)), SYSTEM, action)
      await index.put('documents', info(12 * 1024 * 1024, '"bb-3"', second), SYSTEM, action)
      expect(await index.find('documents', 'report.pdf')).toMatchObject({
        size: 12 * 1024 * 1024,
        etag: '"bb-3"',
      })
    } finally {
      await db.destroy()
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('lets reconcile change a row only if it is the version reconcile saw (same time, other etag)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-order-'))
    const db = await openDatabase({ dataDir: dir })
    try {
      const index = new ObjectCatalog(db)
      const second = new Date('2026-12-05T12:00:00.000Z')
      const action = { action: 'object.put', bucket: 'documents', key: 'report.pdf' }
      await index.put('documents', info(5, '"aa-1"', second), SYSTEM, action)
      const seen = await index.find('documents', 'report.pdf')
      // An upload in the same second of S3's clock commits while reconcile looks at the old object.
      await index.put('documents', info(6, '"bb-1"', second), SYSTEM, action)
      expect(await index.putIfUnchanged('documents', info(5, '"aa-1"', second), seen ?? null, SYSTEM)).toBe(
        false,
      )
      expect(await index.find('documents', 'report.pdf')).toMatchObject({ size: 6, etag: '"bb-1"' })
    } finally {
      await db.destroy()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
