import { isCofferError } from '@coffer/client'
import { isTransient, messageOf } from '../api/people-words.ts'
import type { PickedFile } from '../lib/drop-files.ts'
import { copyName, MAX_COPIES } from '../lib/keep-both.ts'
import { SpeedMeter } from './speed-meter.ts'
import type { UploadRules } from './upload-rules.ts'
import type { OnExisting, QueueSnapshot, Transport, UploadItem, UploadQueueOptions } from './upload-types.ts'

export type * from './upload-types.ts'

/**
 * Uploads files a few at a time (the rest wait), with progress per file and in total, cancel and
 * retry. The transport decides how a file travels (a PUT, or tus for large files).
 */
export class UploadQueue {
  private items: UploadItem[] = []
  private readonly files = new Map<number, File>()
  private readonly running = new Map<number, AbortController>()
  private readonly rules = new Map<number, UploadRules>()
  private readonly speed = new SpeedMeter()
  private readonly listeners = new Set<() => void>()
  private snapshotCache: QueueSnapshot | undefined
  private nextId = 1

  private readonly transport: Transport
  private readonly options: UploadQueueOptions

  constructor(transport: Transport, options: UploadQueueOptions = {}) {
    this.transport = transport
    this.options = options
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  snapshot = (): QueueSnapshot => {
    if (this.snapshotCache) return this.snapshotCache
    const live = this.items.filter((i) => i.state !== 'cancelled')
    const moving = live.some((i) => i.state === 'uploading')
    this.snapshotCache = {
      items: this.items,
      total: {
        size: live.reduce((n, i) => n + i.size, 0),
        sent: live.reduce((n, i) => n + i.sent, 0),
        active: live.filter((i) => i.state === 'queued' || i.state === 'uploading').length,
        failed: live.filter((i) => i.state === 'failed').length,
        conflicts: live.filter((i) => i.state === 'conflict').length,
        rate: moving ? this.speed.rate(this.now()) : undefined,
      },
    }
    return this.snapshotCache
  }

  /**
   * Queues files under a folder of a bucket: each goes to `prefix + path`. With the bucket's `rules`,
   * a file they refuse fails at once with the reason, and is never sent.
   */
  add(bucket: string, prefix: string, picked: readonly PickedFile[], rules?: UploadRules): UploadItem[] {
    const added = picked.map(({ file, path }): UploadItem => {
      const id = this.nextId++
      this.files.set(id, file)
      if (rules) this.rules.set(id, rules)
      const resumable = this.options.isResumable?.(file.size) ?? false
      const item: UploadItem = {
        id,
        bucket,
        key: prefix + path,
        size: file.size,
        sent: 0,
        state: 'queued',
        resumable,
      }
      const refused = rules?.refuse(file)
      return refused === undefined ? item : { ...item, state: 'failed', error: refused, retryable: false }
    })
    this.items = [...this.items, ...added]
    this.changed()
    this.pump()
    return added
  }

  cancel(id: number): void {
    this.running.get(id)?.abort()
    this.update(id, { state: 'cancelled' })
    this.pump()
  }

  retry(id: number): void {
    this.update(id, { state: 'queued', sent: 0, error: undefined, retryable: undefined })
    this.pump()
  }

  /**
   * Answers a conflict: replace the object, keep both (the file goes to `name (1).ext`, or the next
   * free number), or cancel this file.
   */
  resolve(id: number, choice: OnExisting | 'cancel'): void {
    const item = this.items.find((i) => i.id === id)
    if (item?.state !== 'conflict') return
    if (choice === 'cancel') {
      this.cancel(id)
      return
    }
    const requested = item.requested ?? item.key
    const patch: Partial<UploadItem> = { state: 'queued', sent: 0, error: undefined, onExisting: choice }
    if (choice === 'keep-both') Object.assign(patch, { requested, copy: 1, key: copyName(requested, 1) })
    this.update(id, patch)
    this.pump()
  }

  /** Drops finished, failed and cancelled items from the list. */
  clearFinished(): void {
    this.items = this.items.filter((i) => i.state === 'queued' || i.state === 'uploading')
    for (const id of this.files.keys()) {
      if (this.items.some((i) => i.id === id)) continue
      this.files.delete(id)
      this.rules.delete(id)
    }
    this.changed()
  }

  private update(id: number, patch: Partial<UploadItem>): UploadItem | undefined {
    let updated: UploadItem | undefined
    this.items = this.items.map((item) => {
      if (item.id !== id) return item
      updated = { ...item, ...patch }
      return updated
    })
    this.changed()
    return updated
  }

  private now(): number {
    return (this.options.now ?? Date.now)()
  }

  private changed(): void {
    this.snapshotCache = undefined
    for (const listener of this.listeners) listener()
  }

  private pump(): void {
    const limit = this.options.concurrency ?? 3
    for (const item of this.items) {
      if (this.running.size >= limit) return
      if (item.state === 'queued') void this.run(item)
    }
  }

  private async run(item: UploadItem): Promise<void> {
    const file = this.files.get(item.id)
    if (!file) return
    const controller = new AbortController()
    this.running.set(item.id, controller)
    this.update(item.id, { state: 'uploading' })
    try {
      await this.transport({
        bucket: item.bucket,
        key: item.key,
        file,
        createOnly: item.onExisting !== 'replace',
        signal: controller.signal,
        onProgress: (sent) => {
          if (controller.signal.aborted) return
          const before = this.items.find((i) => i.id === item.id)?.sent ?? 0
          this.speed.add(sent - before, this.now())
          this.update(item.id, { sent })
        },
      })
      const done = this.update(item.id, { state: 'done', sent: item.size })
      if (done) this.options.onStored?.(done)
    } catch (error) {
      if (controller.signal.aborted) return
      if (isCofferError(error, 'PreconditionFailed')) this.taken(item.id)
      else {
        const explained = this.rules.get(item.id)?.explain(file, error)
        this.update(item.id, {
          state: 'failed',
          error: explained ?? messageOf(error),
          retryable: isTransient(error),
        })
      }
    } finally {
      this.running.delete(item.id)
      this.pump()
    }
  }

  /** The key was taken: ask, or with "Keep both" try the next number. */
  private taken(id: number): void {
    const item = this.items.find((i) => i.id === id)
    if (!item) return
    const copy = (item.copy ?? 0) + 1
    if (item.onExisting !== 'keep-both' || copy > MAX_COPIES) {
      this.update(id, { state: 'conflict', sent: 0 })
      return
    }
    this.update(id, { state: 'queued', sent: 0, copy, key: copyName(item.requested ?? item.key, copy) })
  }
}
