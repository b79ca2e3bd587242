import { execFile } from 'node:child_process'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buffer } from 'node:stream/consumers'
import { promisify } from 'node:util'
import { createStorage, fsDriver, type StorageService } from '@coffer/core'
import { afterEach, beforeEach } from 'vitest'

/** A StorageService on a real fs driver in a new temporary folder, removed after each test. */
export function useStorage(): { storage: () => StorageService; root: () => string } {
  let root = ''
  let storage: StorageService | undefined
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'coffer-exports-'))
    storage = createStorage({ driver: fsDriver({ root, fsync: false }) })
  })
  afterEach(async () => {
    await storage?.close()
    await rm(root, { recursive: true, force: true })
  })
  return {
    storage: () => {
      if (storage === undefined) throw new Error('no storage outside a test')
      return storage
    },
    root: () => root,
  }
}

/** Every key stored, and every file under the driver's root (to see that nothing half-written stays). */
export async function everything(
  storage: StorageService,
  root: string,
): Promise<{ keys: string[]; files: string[] }> {
  const { objects } = await storage.listObjects()
  const files = (await readdir(root, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
  return { keys: objects.map((o) => o.key), files }
}

/** An object's bytes. */
export async function bytesOf(storage: StorageService, key: string): Promise<Buffer> {
  return buffer((await storage.getObject(key)).body)
}

/** The text of a PDF, extracted by Debian's `pdftotext` (poppler-utils), pages split by form feeds. */
export async function pdfText(pdf: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'coffer-pdf-'))
  try {
    const file = join(dir, 'export.pdf')
    await writeFile(file, pdf)
    const { stdout } = await promisify(execFile)('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], {
      maxBuffer: 64 * 1024 * 1024,
    })
    return stdout
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
