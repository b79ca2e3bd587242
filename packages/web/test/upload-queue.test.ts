import { CofferError } from '@coffer/client'
import { describe, expect, it } from 'vitest'
import { type EntryLike, filesOfEntry } from '../src/lib/drop-files.ts'
import { copyName } from '../src/lib/keep-both.ts'
import { type Transport, UploadQueue, type UploadTask } from '../src/upload/upload-queue.ts'

/** A transport whose uploads the test finishes by hand. */
function manualTransport() {
  const tasks: { task: UploadTask; resolve: () => void; reject: (e: unknown) => void }[] = []
  const transport: Transport = (task) =>
    new Promise<void>((resolve, reject) => {
      tasks.push({ task, resolve, reject })
      task.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
    })
  return { transport, tasks }
}

const file = (name: string, size: number) => ({ file: new File([new Uint8Array(size)], name), path: name })
const tick = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('the upload queue', () => {
  it('sends a few files at a time, under the folder, with progress per file and in total', async () => {
    const { transport, tasks } = manualTransport()
    const queue = new UploadQueue(transport, { concurrency: 2 })
    let notified = 0
    queue.subscribe(() => notified++)
    queue.add('docs', 'in/', [file('a', 10), file('b', 20), file('c', 30)])
    expect(tasks.map((t) => t.task.key)).toEqual(['in/a', 'in/b'])
    tasks[0]?.task.onProgress(5)
    expect(queue.snapshot().total).toEqual({ size: 60, sent: 5, active: 3, failed: 0, conflicts: 0 })
    tasks[0]?.resolve()
    await tick()
    expect(tasks.map((t) => t.task.key)).toEqual(['in/a', 'in/b', 'in/c'])
    expect(queue.snapshot().items[0]).toMatchObject({ state: 'done', sent: 10 })
    expect(notified).toBeGreaterThan(3)
  })

  it("keeps the server's words when a file fails, and retries it", async () => {
    const { transport, tasks } = manualTransport()
    const queue = new UploadQueue(transport)
    const [item] = queue.add('docs', '', [file('big', 100)])
    tasks[0]?.reject(new CofferError('TooLarge', 413, 'the upload exceeds the limit of 10 bytes'))
    await tick()
    expect(queue.snapshot().items[0]).toMatchObject({
      state: 'failed',
      error: 'Too large for this bucket — the upload exceeds the limit of 10 bytes',
    })
    expect(queue.snapshot().total.failed).toBe(1)
    queue.retry(item?.id ?? 0)
    expect(tasks).toHaveLength(2)
    tasks[1]?.resolve()
    await tick()
    expect(queue.snapshot().items[0]).toMatchObject({ state: 'done' })
    expect(queue.snapshot().items[0]?.error).toBeUndefined()
  })

  it('cancels an upload: aborted, out of the totals, and the next one starts', async () => {
    const { transport, tasks } = manualTransport()
    const stored: string[] = []
    const queue = new UploadQueue(transport, { concurrency: 1, onStored: (i) => stored.push(i.key) })
    const [first] = queue.add('docs', '', [file('a', 10), file('b', 10)])
    queue.cancel(first?.id ?? 0)
    await tick()
    expect(tasks[0]?.task.signal.aborted).toBe(true)
    expect(queue.snapshot().items[0]?.state).toBe('cancelled')
    expect(queue.snapshot().total.size).toBe(10)
    tasks[1]?.resolve()
    await tick()
    expect(stored).toEqual(['b'])
    queue.clearFinished()
    expect(queue.snapshot().items).toEqual([])
  })
  it('creates only, and asks when the name is taken: keep both numbers the copy, replace overwrites', async () => {
    const { transport, tasks } = manualTransport()
    const queue = new UploadQueue(transport)
    const taken = () => new CofferError('PreconditionFailed', 412, 'exists')
    const [a, b] = queue.add('docs', 'in/', [file('a.txt', 1), file('b.txt', 1)])
    expect(tasks.map((t) => t.task.createOnly)).toEqual([true, true])
    tasks[0]?.reject(taken())
    tasks[1]?.reject(taken())
    await tick()
    expect(queue.snapshot().items.map((i) => i.state)).toEqual(['conflict', 'conflict'])
    expect(queue.snapshot().total).toMatchObject({ conflicts: 2, active: 0, failed: 0 })
    queue.resolve(a?.id ?? 0, 'keep-both')
    expect(tasks[2]?.task).toMatchObject({ key: 'in/a (1).txt', createOnly: true })
    // (1) is taken too: the next number is tried without asking again.
    tasks[2]?.reject(taken())
    await tick()
    expect(tasks[3]?.task.key).toBe('in/a (2).txt')
    tasks[3]?.resolve()
    queue.resolve(b?.id ?? 0, 'replace')
    expect(tasks[4]?.task).toMatchObject({ key: 'in/b.txt', createOnly: false })
    tasks[4]?.resolve()
    await tick()
    expect(queue.snapshot().items.map((i) => [i.key, i.state])).toEqual([
      ['in/a (2).txt', 'done'],
      ['in/b.txt', 'done'],
    ])
  })

  it('cancels a file whose name is taken when asked to', async () => {
    const { transport, tasks } = manualTransport()
    const queue = new UploadQueue(transport)
    const [a] = queue.add('docs', '', [file('a', 1)])
    tasks[0]?.reject(new CofferError('PreconditionFailed', 412, 'exists'))
    await tick()
    queue.resolve(a?.id ?? 0, 'cancel')
    expect(queue.snapshot().items[0]?.state).toBe('cancelled')
    expect(tasks).toHaveLength(1)
  })
})

describe('numbered copies', () => {
  it('numbers the name before its extension, folders as a whole', () => {
    expect(copyName('a/notes.txt', 1)).toBe('a/notes (1).txt')
    expect(copyName('notes', 2)).toBe('notes (2)')
    expect(copyName('a/.env', 1)).toBe('a/.env (1)')
    expect(copyName('a/v1.2/photos/', 3)).toBe('a/v1.2/photos (3)/')
    expect(copyName('archive.tar.gz', 1)).toBe('archive.tar (1).gz')
  })
})

describe('dropped folders', () => {
  const fileEntry = (fullPath: string): EntryLike => ({
    isFile: true,
    isDirectory: false,
    name: fullPath.slice(fullPath.lastIndexOf('/') + 1),
    fullPath,
    file: (ok) => ok(new File(['x'], fullPath.slice(fullPath.lastIndexOf('/') + 1))),
  })
  /** A directory whose reader gives its entries in batches of two, as browsers give them in batches. */
  const dirEntry = (fullPath: string, children: EntryLike[]): EntryLike => ({
    isFile: false,
    isDirectory: true,
    name: fullPath.slice(fullPath.lastIndexOf('/') + 1),
    fullPath,
    createReader() {
      let at = 0
      return {
        readEntries(ok) {
          ok(children.slice(at, at + 2))
          at += 2
        },
      }
    },
  })

  it('walks every level and reads every batch, keeping relative paths', async () => {
    const tree = dirEntry('/photos', [
      fileEntry('/photos/a.jpg'),
      fileEntry('/photos/b.jpg'),
      fileEntry('/photos/c.jpg'),
      dirEntry('/photos/2024', [fileEntry('/photos/2024/d.jpg')]),
      dirEntry('/photos/empty', []),
    ])
    const files = await filesOfEntry(tree)
    expect(files.map((f) => f.path).sort()).toEqual([
      'photos/2024/d.jpg',
      'photos/a.jpg',
      'photos/b.jpg',
      'photos/c.jpg',
    ])
  })
})
