import { CofferError } from '@coffer/client'
import { describe, expect, it } from 'vitest'
import type { Bucket } from '../src/api/types.ts'
import { SpeedMeter, timeLeftText } from '../src/upload/speed-meter.ts'
import { UploadQueue } from '../src/upload/upload-queue.ts'
import { acceptOf, uploadRules } from '../src/upload/upload-rules.ts'

const bucket = (policy: Partial<Bucket>): Bucket => ({
  name: 'docs',
  public: false,
  createdAt: '',
  updatedAt: '',
  ...policy,
})
const file = (name: string, size: number, type = 'text/plain') =>
  new File([new Uint8Array(size)], name, { type })

describe("a bucket's rules, before sending", () => {
  it("refuses a file too large, of a type refused, or with no room left, in the UI's units", () => {
    const rules = uploadRules(bucket({ maxFileSize: 25 * 1024 ** 2, allowedTypes: ['text/*'] }), undefined)
    expect(rules.refuse(file('big.csv', 30 * 1024 ** 2, 'text/csv'))).toBe(
      'big.csv is 30 MB; this bucket accepts files up to 25 MB',
    )
    expect(rules.refuse(file('a.png', 10, 'image/png'))).toBe(
      'a.png is image/png; this bucket accepts text/*',
    )
    expect(rules.refuse(file('a.txt', 10))).toBeUndefined()
    const full = uploadRules(bucket({ quotaBytes: 30 * 1024 ** 2 }), { bytes: 23 * 1024 ** 2, objects: 4 })
    expect(full.refuse(file('one.txt', 5 * 1024 ** 2))).toBeUndefined()
    // The batch's own files count: the second no longer fits.
    expect(full.refuse(file('two.txt', 5 * 1024 ** 2))).toBe(
      'docs is full: 23 MB of 30 MB used; two.txt needs 5.0 MB',
    )
  })

  it("explains the server's refusals in the same words, and nothing else", () => {
    const rules = uploadRules(bucket({ maxFileSize: 1024 }), { bytes: 10, objects: 1, quotaBytes: 2048 })
    expect(rules.explain(file('a.bin', 4096), new CofferError('TooLarge', 413, 'too large'))).toBe(
      'a.bin is 4.0 KB; this bucket accepts files up to 1.0 KB',
    )
    expect(rules.explain(file('a.bin', 10), new CofferError('TooLarge', 413, 'too large'))).toBe(
      'a.bin (10 B) is too large for this bucket',
    )
    expect(rules.explain(file('a.bin', 10), new CofferError('QuotaExceeded', 507, 'full'))).toBe(
      'docs is full: 10 B of 2.0 KB used',
    )
    expect(rules.explain(file('a.bin', 10), new CofferError('Internal', 500, 'broken'))).toBeUndefined()
    expect(acceptOf(bucket({ allowedTypes: ['image/*', 'application/pdf'] }))).toBe('image/*,application/pdf')
    expect(acceptOf(bucket({}))).toBeUndefined()
  })

  it('fails a refused file at once, never sends it, and offers no retry', () => {
    const sent: string[] = []
    const queue = new UploadQueue(async (task) => {
      sent.push(task.key)
    })
    const rules = uploadRules(bucket({ maxFileSize: 5 }), undefined)
    queue.add('docs', '', [{ file: file('big', 10), path: 'big' }], rules)
    expect(queue.snapshot().items[0]).toMatchObject({ state: 'failed', retryable: false })
    expect(sent).toEqual([])
  })

  it('offers a retry for network and server failures only', async () => {
    const failures = [
      new CofferError('Unavailable', 0, 'cannot reach'),
      new CofferError('Unavailable', 503, 'busy'),
      new CofferError('AccessDenied', 403, 'no'),
    ]
    const queue = new UploadQueue(() => Promise.reject(failures.shift()))
    queue.add(
      'docs',
      '',
      ['a', 'b', 'c'].map((n) => ({ file: file(n, 1), path: n })),
    )
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(queue.snapshot().items.map((i) => i.retryable)).toEqual([true, true, false])
  })
})

describe('speed and time left', () => {
  it('measures bytes a second over the last seconds', () => {
    const meter = new SpeedMeter()
    expect(meter.rate(0)).toBeUndefined()
    meter.add(1000, 0)
    meter.add(1000, 1000)
    meter.add(1000, 2000)
    expect(meter.rate(2000)).toBe(1000)
    // Old samples leave the window: the rate follows a change.
    for (let t = 3000; t <= 9000; t += 1000) meter.add(4000, t)
    expect(meter.rate(9000)).toBe(4000)
    // A stall shows no speed rather than an old one.
    expect(meter.rate(20_000)).toBeUndefined()
    expect([timeLeftText(0.2), timeLeftText(42), timeLeftText(600), timeLeftText(7200)]).toEqual([
      '1 s left',
      '42 s left',
      '10 min left',
      '2 h left',
    ])
  })

  it('gives the queue a rate while files move', () => {
    let now = 0
    const progress: ((sent: number) => void)[] = []
    const queue = new UploadQueue(
      (task) =>
        new Promise(() => {
          progress.push(task.onProgress)
        }),
      { now: () => now },
    )
    queue.add('docs', '', [{ file: file('a', 10_000), path: 'a' }])
    progress[0]?.(1000)
    now = 1000
    progress[0]?.(3000)
    expect(queue.snapshot().total.rate).toBe(2000)
  })
})
