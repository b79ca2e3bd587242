/** Pins the servers to one core, so that they never share the load generators' core. */
import { execFile } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { promisify } from 'node:util'

const exec = promisify(execFile)

/** The core every server runs on; the clients get core 1 (clients.ts). */
export const SERVER_CORE = 0

/** Every process whose parent chain leads to `root` (not `root` itself), from /proc. */
export async function descendants(root: number): Promise<number[]> {
  const parents = new Map<number, number>()
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue
    // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses.
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '')
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    if (Number.isFinite(ppid)) parents.set(Number(name), ppid)
  }
  const found: number[] = []
  let frontier = [root]
  while (frontier.length > 0) {
    const next = [...parents].filter(([, ppid]) => frontier.includes(ppid)).map(([pid]) => pid)
    found.push(...next)
    frontier = next
  }
  return found
}

/**
 * Pins the processes (every thread: `taskset -a`) and all their descendants to the server core.
 * Threads and processes they start later inherit the mask. Processes that exit meanwhile are skipped.
 */
export async function pinServers(pids: number[]): Promise<number> {
  const all = new Set(pids)
  for (const pid of pids) for (const child of await descendants(pid)) all.add(child)
  let pinned = 0
  for (const pid of all) {
    try {
      await exec('taskset', ['-a', '-p', '-c', String(SERVER_CORE), String(pid)])
      pinned++
    } catch {
      // Gone since the walk (a short-lived helper process): nothing to pin.
    }
  }
  return pinned
}
