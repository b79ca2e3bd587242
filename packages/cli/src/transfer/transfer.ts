import { lstat, rm } from 'node:fs/promises'
import { relative } from 'node:path'
import { type CofferUrl, formatCofferUrl } from '../coffer-url.ts'
import { copyObject } from './copy-object.ts'
import { downloadFile } from './download-file.ts'
import type { LocalFile } from './local-tree.ts'
import type { TransferContext } from './transfer-context.ts'
import { objectExists, uploadFile } from './upload-file.ts'

/** One file to transfer, in one of the three directions. */
export type Transfer =
  | { kind: 'upload'; file: LocalFile; to: CofferUrl }
  | { kind: 'download'; from: CofferUrl; path: string; size?: number }
  | { kind: 'copy'; from: CofferUrl; to: CofferUrl }

/** The bytes a transfer moves, when known before it starts. */
export function sizeOf(transfer: Transfer): number {
  return transfer.kind === 'upload'
    ? transfer.file.size
    : transfer.kind === 'download'
      ? (transfer.size ?? 0)
      : 0
}

/** A local path for messages: relative to the working directory when it is under it. */
export function displayPath(path: string): string {
  const near = relative(process.cwd(), path)
  return near === '' || near.startsWith('..') ? path : near
}

/** The transfer's source and destination, for progress lines and `--json` reports. */
export function endpoints(transfer: Transfer): { from: string; to: string } {
  switch (transfer.kind) {
    case 'upload':
      return { from: displayPath(transfer.file.path), to: formatCofferUrl(transfer.to) }
    case 'download':
      return { from: formatCofferUrl(transfer.from), to: displayPath(transfer.path) }
    case 'copy':
      return { from: formatCofferUrl(transfer.from), to: formatCofferUrl(transfer.to) }
  }
}

/** The transfer as one line: `upload a.txt → coffer://docs/a.txt` (`move` when the source goes). */
export function describeTransfer(transfer: Transfer, move = false): string {
  const { from, to } = endpoints(transfer)
  return `${move ? 'move' : transfer.kind} ${from} → ${to}`
}

/**
 * Runs one transfer; with `move`, deletes its source once the copy is complete (a move within a
 * bucket is one request to the service). With `--no-clobber`, a destination that exists is left as
 * it is (and a move's source kept): the transfer is reported as skipped.
 */
export async function runTransfer(ctx: TransferContext, transfer: Transfer, move = false): Promise<void> {
  const line = describeTransfer(transfer, move)
  if (ctx.noClobber && transfer.kind !== 'upload' && (await destinationExists(ctx, transfer))) {
    return ctx.progress.log(`skip ${line.slice(line.indexOf(' ') + 1)} (exists)`)
  }
  switch (transfer.kind) {
    case 'upload':
      if ((await uploadFile(ctx, transfer.file, transfer.to, line)) === 'skipped') {
        return ctx.progress.log(`skip ${line.slice(line.indexOf(' ') + 1)} (exists)`)
      }
      if (move) await rm(transfer.file.path)
      return
    case 'download':
      await downloadFile(ctx, transfer.from, transfer.path, line)
      if (move) await deleteObject(ctx, transfer.from)
      return
    case 'copy':
      await copyObject(ctx, transfer.from, transfer.to, line, move ? 'move' : 'copy')
  }
}

/** Whether a download's file or a copy's object is already there. */
async function destinationExists(ctx: TransferContext, transfer: Transfer): Promise<boolean> {
  if (transfer.kind === 'copy') return objectExists(ctx, transfer.to)
  if (transfer.kind !== 'download') return false
  return lstat(transfer.path).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false
      throw error
    },
  )
}

/** Deletes an object (idempotent on the service). */
export async function deleteObject(ctx: TransferContext, ref: CofferUrl): Promise<void> {
  await ctx.client.objects.delete(ref.bucket, ref.key)
}
