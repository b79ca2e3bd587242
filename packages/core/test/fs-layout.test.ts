import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createStorage, fsDriver, type StorageService } from '../src/index.ts'
import { writeFileAtomically } from '../src/service/download-file.ts'
import { expectCode } from '../src/testing/index.ts'

let root: string
let storage: StorageService

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'coffer-layout-'))
  storage = createStorage({ driver: fsDriver({ root }) })
})
afterEach(() => rm(root, { recursive: true, force: true }))

/** Every error message and cause message of a failed call. */
async function messagesOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  const messages: string[] = []
  for (let e = error as Error | undefined; e; e = e.cause as Error | undefined)
    messages.push(e.message, String(e.stack))
  return messages.join('\n')
}

describe('fs driver on disk', () => {
  it('keeps one file per object, bytes first, under objects/', async () => {
    await storage.upload('top', { key: 'a' })
    await storage.upload('below', { key: 'a/b' })
    await storage.upload('', { key: 'a/' })
    await storage.upload('odd', { key: '100%~x' })
    expect((await readdir(join(root, 'objects'))).sort()).toEqual(['100%25%7Ex~', 'a', 'a~'])
    expect((await readdir(join(root, 'objects', 'a'))).sort()).toEqual(['b~', '~'])
    const file = await readFile(join(root, 'objects', 'a', 'b~'))
    expect(file.subarray(0, 5).toString()).toBe('below')
    expect(file.subarray(-4).toString()).toBe('CFR1')
  })

  it('never lists temp files or directories holding only them', async () => {
    await storage.upload('x', { key: 'real' })
    await mkdir(join(root, 'objects', 'crashed'), { recursive: true })
    await writeFile(join(root, 'objects', 'crashed', '~tmp-0123456789abcdef'), 'half a file')
    await writeFile(join(root, 'objects', '~tmp-fedcba9876543210'), 'half a file')
    const page = await storage.listObjects({ delimiter: '/' })
    expect(page.objects.map((o) => o.key)).toEqual(['real'])
    expect(page.prefixes).toEqual([])
  })

  it('removes directories that a delete leaves empty', async () => {
    await storage.upload('x', { key: 'p/q/r/s' })
    await storage.upload('x', { key: 'p/keep' })
    await storage.deleteObject('p/q/r/s')
    expect(await readdir(join(root, 'objects', 'p'))).toEqual(['keep~'])
  })

  it('reports a damaged record as Internal, without host paths', async () => {
    await mkdir(join(root, 'objects'), { recursive: true })
    await writeFile(join(root, 'objects', 'broken~'), 'no trailer here')
    await expectCode(storage.stat('broken'), 'Internal')
    expect(await messagesOf(storage.stat('broken'))).not.toContain(root)
  })

  it('keeps host paths out of file-system errors', async () => {
    await mkdir(join(root, 'objects'), { recursive: true })
    await writeFile(join(root, 'objects', 'blocker'), 'a file where a directory should be')
    const failure = storage.upload('x', { key: 'blocker/child' })
    await expectCode(failure, 'Internal')
    const messages = await messagesOf(storage.upload('x', { key: 'blocker/child' }))
    expect(messages).toMatch(/EEXIST|ENOTDIR/)
    expect(messages).not.toContain(root)
  })
})

describe('atomic local download', () => {
  it('leaves the target untouched and no temp file when the stream fails', async () => {
    const target = join(root, 'report.pdf')
    await writeFile(target, 'previous')
    const broken = new Readable({ read() {} })
    broken.push('partial bytes')
    setTimeout(() => broken.destroy(new Error('connection reset')), 10)
    await expect(writeFileAtomically(broken, target)).rejects.toThrow()
    expect(await readFile(target, 'utf8')).toBe('previous')
    expect(await readdir(root)).toEqual(['report.pdf'])
  })
})
