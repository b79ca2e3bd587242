import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** The file in the data dir that says a service is running there; a graceful stop removes it. */
export const RUNNING_FILE = 'running'

/**
 * Marks the data dir as in use, and tells whether the last service to use it stopped uncleanly
 * (killed, crashed, a power cut): its mark is still there. Then writes it made may be half done:
 * an object committed to the store whose index row was never written, a temp file never renamed.
 */
export async function markRunning(dataDir: string): Promise<{ uncleanStop: boolean }> {
  const path = join(dataDir, RUNNING_FILE)
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  try {
    await writeFile(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 })
    return { uncleanStop: false }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    await writeFile(path, `${process.pid}\n`, { mode: 0o600 })
    return { uncleanStop: true }
  }
}

/** Removes the mark after a graceful stop, once every write has finished. */
export async function markStopped(dataDir: string): Promise<void> {
  await rm(join(dataDir, RUNNING_FILE), { force: true })
}
