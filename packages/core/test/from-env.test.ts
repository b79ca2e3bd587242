import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { storageFromEnv } from '../src/index.ts'

describe('storageFromEnv', () => {
  it('defaults to the fs driver under COFFER_DATA_DIR/files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-env-'))
    try {
      const storage = await storageFromEnv({ COFFER_DATA_DIR: dir, COFFER_SIGNING_SECRET: 'k'.repeat(32) })
      expect(storage.driver.name).toBe('fs')
      await storage.upload('x', { key: 'a.txt' })
      expect(await readdir(join(dir, 'files', 'objects'))).toEqual(['a.txt~'])
      const url = await storage.generatePresignedUrl('a.txt', { method: 'GET', expiresIn: 5 })
      expect(url.startsWith('http://127.0.0.1:7374/signed/a.txt?')).toBe(true)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('picks the memory driver and the content URL', async () => {
    const storage = await storageFromEnv({
      COFFER_DRIVER: 'memory',
      COFFER_SIGNING_SECRET: 'k'.repeat(32),
      COFFER_CONTENT_URL: 'https://files.example.com/',
    })
    expect(storage.driver.name).toBe('memory')
    await storage.upload('x', { key: 'k' })
    expect(await storage.generatePresignedUrl('k', { method: 'GET', expiresIn: 5 })).toMatch(
      /^https:\/\/files\.example\.com\/signed\/k\?/,
    )
  })

  it('says what is wrong with a bad driver, and why signing fails without a secret', async () => {
    await expect(storageFromEnv({ COFFER_DRIVER: 'ftp' })).rejects.toThrow(/fs, memory or s3/)
    const storage = await storageFromEnv({ COFFER_DRIVER: 'memory' })
    await storage.upload('x', { key: 'k' })
    await expect(storage.generatePresignedUrl('k', { method: 'GET', expiresIn: 5 })).rejects.toThrow(
      /COFFER_SIGNING_SECRET/,
    )
  })
})
