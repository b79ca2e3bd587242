import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createStorage, fsDriver, type StorageService } from '../src/index.ts'
import { expectCode } from '../src/testing/index.ts'

const HOUR = 3600_000

describe('fs driver: multipart uploads on disk', () => {
  let root: string
  let storage: StorageService
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'coffer-fs-multipart-'))
    storage = createStorage({ driver: fsDriver({ root, fsync: false }) })
  })
  afterEach(() => rm(root, { recursive: true, force: true }))

  const uploads = () => readdir(join(root, 'multipart')).catch(() => [])

  it('stages parts beside the objects and leaves nothing once completed or aborted', async () => {
    const done = await storage.createMultipartUpload('a/done.txt')
    const gone = await storage.createMultipartUpload('a/gone.txt')
    expect((await uploads()).sort()).toEqual([done.uploadId, gone.uploadId].sort())
    const part = await storage.uploadPart('a/done.txt', done.uploadId, 1, 'hello')
    await storage.uploadPart('a/gone.txt', gone.uploadId, 1, 'bye')
    await storage.completeMultipartUpload('a/done.txt', done.uploadId, [part])
    await storage.abortMultipartUpload('a/gone.txt', gone.uploadId)
    expect(await uploads()).toEqual([])
    expect(await readdir(join(root, 'objects', 'a'))).toEqual(['done.txt~'])
  })

  it('refuses upload ids that could name a path', async () => {
    for (const id of ['../objects', '..', 'x/../y', ''])
      await expectCode(storage.listParts('k', id), 'NotFound')
  })

  it('sweeps what a killed process left, never an upload in progress', async () => {
    // A process killed in the middle of a part: its upload and the part's temp file stay behind.
    const script = `
      import { createStorage, fsDriver } from './packages/core/src/index.ts'
      const storage = createStorage({ driver: fsDriver({ root: ${JSON.stringify(root)}, fsync: false }) })
      const { uploadId } = await storage.createMultipartUpload('killed.bin')
      await storage.uploadPart('killed.bin', uploadId, 1, 'a whole part')
      const body = new ReadableStream({ start(c) { c.enqueue(new Uint8Array(1024)) } })
      storage.uploadPart('killed.bin', uploadId, 2, body)
      setTimeout(() => process.kill(process.pid, 'SIGKILL'), 200)`
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: join(import.meta.dirname, '..', '..', '..'),
      timeout: 20_000,
    })
    expect(run.signal).toBe('SIGKILL')
    const [killed] = await uploads()
    expect(killed).toBeDefined()
    const files = await readdir(join(root, 'multipart', killed as string))
    expect(files.some((name) => name.startsWith('~tmp-'))).toBe(true)
    // A create cut short before its manifest: a directory without one.
    await mkdir(join(root, 'multipart', 'f'.repeat(32)))
    await writeFile(join(root, 'multipart', 'f'.repeat(32), '~tmp-x'), '{')
    const live = await storage.createMultipartUpload('live.bin')
    const driver = storage.driver
    expect(await driver.sweepUploads?.(new Date(Date.now() - HOUR))).toBe(0)
    expect((await uploads()).length).toBe(3)
    expect(await driver.sweepUploads?.(new Date(Date.now() + HOUR))).toBe(3)
    expect(await uploads()).toEqual([])
    await expectCode(storage.listParts('live.bin', live.uploadId), 'NotFound')
  })
})
