/** Cleanups to run if the process is interrupted, newest first. */
const cleanups = new Set<() => void>()
let installed = false

function interrupted(signal: NodeJS.Signals): void {
  for (const cleanup of [...cleanups].reverse()) cleanup()
  process.exit(signal === 'SIGINT' ? 130 : 143)
}

/**
 * Runs `cleanup` (synchronously) if SIGINT or SIGTERM ends the process before the returned function
 * is called: a half-written download is removed, the terminal's cursor restored. The process then
 * exits with 130 (SIGINT) or 143 (SIGTERM), as a shell reports a signal.
 */
export function onInterrupt(cleanup: () => void): () => void {
  if (!installed) {
    installed = true
    process.once('SIGINT', interrupted)
    process.once('SIGTERM', interrupted)
  }
  cleanups.add(cleanup)
  return () => {
    cleanups.delete(cleanup)
  }
}
