import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { memoryDriver, parseBoolean, storageFromEnv } from '../src/index.ts'

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
    await expect(storageFromEnv({ COFFER_DRIVER: 'ftp' })).rejects.toThrow(/one of fs, memory, not "ftp"/)
    await expect(storageFromEnv({ COFFER_DRIVER: 's3' })).rejects.toThrow(
      /drivers: \{ s3: s3DriverFromEnv \}/,
    )
    const storage = await storageFromEnv({ COFFER_DRIVER: 'memory' })
    await storage.upload('x', { key: 'k' })
    await expect(storage.generatePresignedUrl('k', { method: 'GET', expiresIn: 5 })).rejects.toThrow(
      /COFFER_SIGNING_SECRET/,
    )
  })

  it('takes other drivers from the registry it is given, with the whole environment', async () => {
    const seen: (string | undefined)[] = []
    const storage = await storageFromEnv(
      { COFFER_DRIVER: 'Custom', CUSTOM_OPTION: 'on' },
      {
        drivers: {
          custom: (env) => {
            seen.push(env.CUSTOM_OPTION)
            return { ...memoryDriver(), name: 'custom' }
          },
        },
      },
    )
    expect(storage.driver.name).toBe('custom')
    expect(seen).toEqual(['on'])
  })
})

describe('parseBoolean', () => {
  it('reads true/false, 1/0 and yes/no in any case, and nothing else', () => {
    for (const word of ['true', 'TRUE', '1', 'yes', ' Yes ']) expect(parseBoolean(word)).toBe(true)
    for (const word of ['false', 'False', '0', 'no', 'NO']) expect(parseBoolean(word)).toBe(false)
    for (const word of ['', 'on', 'off', 'y', '2', 'truee']) expect(parseBoolean(word)).toBeUndefined()
  })
})
