/** `conflict`: the key is taken and the person has not said yet whether to replace it. */
export type UploadState = 'queued' | 'uploading' | 'done' | 'failed' | 'cancelled' | 'conflict'

/** What to do when the key is taken: ask, replace the object, or store a numbered copy beside it. */
export type OnExisting = 'ask' | 'replace' | 'keep-both'

/** One file in the queue, as the UI shows it. Items are replaced, never mutated, on every change. */
export interface UploadItem {
  id: number
  bucket: string
  key: string
  size: number
  sent: number
  state: UploadState
  /** Why the upload failed, in people's words (the bucket's rule it broke, else the server's words). */
  error?: string | undefined
  /** Whether trying again may help (a network failure or a server error, not a refusal). */
  retryable?: boolean | undefined
  /** Whether it goes over tus and survives a reload. */
  resumable: boolean
  /** What to do when the key is taken; `ask` unless the person chose. */
  onExisting?: OnExisting
  /** The key asked for, before "Keep both" numbered it. */
  requested?: string
  /** The numbered copy tried last with "Keep both". */
  copy?: number
}

/** What a transport gets to send one file. */
export interface UploadTask {
  bucket: string
  key: string
  file: File
  /** Create only (`If-None-Match: *`): a taken key fails with 412 instead of being replaced. */
  createOnly: boolean
  onProgress(sent: number): void
  signal: AbortSignal
}

/** Sends one file; resolves once it is stored, rejects with the server's error or on abort. */
export type Transport = (task: UploadTask) => Promise<void>

/** The queue's state for the UI. */
export interface QueueSnapshot {
  items: readonly UploadItem[]
  total: {
    size: number
    sent: number
    active: number
    failed: number
    conflicts: number
    /** Bytes a second over the last seconds, while files move and once it can be told. */
    rate?: number | undefined
  }
}

/** How a queue runs. */
export interface UploadQueueOptions {
  /** Files sent at once; default 3. */
  concurrency?: number
  /** Whether a file of this size goes over tus (shown as "resumable"); default never. */
  isResumable?: (size: number) => boolean
  /** Called when a file is stored. */
  onStored?: (item: UploadItem) => void
  /** The clock (ms), for the speed; default `Date.now`. */
  now?: () => number
}
