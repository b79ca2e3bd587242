import { randomBytes } from 'node:crypto'
import { createWriteStream, rmSync } from 'node:fs'
import { mkdir, rename, rm, utimes } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { CofferUrl } from '../coffer-url.ts'
import { onInterrupt } from '../interrupt.ts'
import { countBytes, fromWeb } from './count-bytes.ts'
import { track } from './progress.ts'
import type { TransferContext } from './transfer-context.ts'

/**
 * Downloads an object to a local file, streamed to disk. The bytes go to a temporary file beside the
 * target, renamed over it once complete, so the target is never half written; missing folders are
 * made. The file takes the object's modification time, so that a later `sync` can compare times
 * when it cannot compare checksums.
 */
export async function downloadFile(
  ctx: TransferContext,
  source: CofferUrl,
  path: string,
  line: string,
): Promise<void> {
  await track(ctx.progress, line, async (begin) => {
    const { head, body: stream } = await ctx.client.objects.download(source.bucket, source.key)
    const progress = begin(head.size)
    await mkdir(dirname(path), { recursive: true })
    const temp = tempPathFor(path)
    const forget = onInterrupt(() => rmSync(temp, { force: true }))
    try {
      const body = countBytes(fromWeb(stream), (received) => progress.update(received))
      await pipeline(body, createWriteStream(temp, { flags: 'wx' }))
      await utimes(temp, new Date(), new Date(head.lastModified))
      await rename(temp, path)
    } catch (error) {
      await rm(temp, { force: true })
      throw error
    } finally {
      forget()
    }
  })
}

/** Names of the temporary files downloads write, which no walk of a local folder lists. */
export const TEMP_NAME = /^\..+\.coffer-[0-9a-f]{12}$/

/** A temporary file beside `path`: hidden, and named so that `TEMP_NAME` matches it. */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.coffer-${randomBytes(6).toString('hex')}`)
}
