import { MultiBar, type SingleBar } from 'cli-progress'
import { onInterrupt } from '../interrupt.ts'
import { formatBytes } from '../units.ts'
import { rateMeter, rateText } from './rate-meter.ts'

/** One file's transfer, as a progress reporter sees it. */
export interface FileProgress {
  /** Sets how many of the file's bytes are done (a resumed upload starts above 0). */
  update(done: number): void
  /** The transfer ended well: on a terminal its bar goes; otherwise its one line is printed. */
  done(): void
  /** The transfer failed: its bar goes, nothing is printed (the error is reported elsewhere). */
  fail(): void
}

/** Reports the transfers of one command. */
export interface Progress {
  /** Starts reporting a transfer of `total` bytes, described by `line` ("upload a → coffer://b/a"). */
  start(line: string, total: number): FileProgress
  /** Prints a line (above the bars on a terminal). */
  log(line: string): void
  /** Ends the report; call once, after every transfer has ended. */
  stop(): void
}

/** How progress is shown: bars on a terminal, one line per file otherwise, or nothing (`--json`). */
export type ProgressMode = 'bars' | 'lines' | 'quiet'

/** The mode for this process: bars when stdout is a terminal, unless `quiet`. */
export function progressMode(quiet: boolean): ProgressMode {
  return quiet ? 'quiet' : process.stdout.isTTY ? 'bars' : 'lines'
}

/** A progress reporter for `mode`, writing to stdout. */
export function createProgress(mode: ProgressMode): Progress {
  if (mode === 'bars') return barProgress()
  const print = mode === 'lines' ? (line: string) => process.stdout.write(`${line}\n`) : () => {}
  return {
    start: (line, total) => ({
      update: () => {},
      done: () => print(`${line} (${formatBytes(total)})`),
      fail: () => {},
    }),
    log: print,
    stop: () => {},
  }
}

/**
 * One bar per running transfer; a finished transfer's bar is drawn at 100%, then replaced by its line
 * above the bars. cli-progress's own SIGINT handler is off: it would keep the process alive after
 * Ctrl-C; `onInterrupt` restores the cursor and exits (an interrupted upload resumes on the next run).
 */
function barProgress(): Progress {
  const bars = new MultiBar({
    stream: process.stdout,
    format: ' {bar} {percentage}% | {doneText} / {totalText} | {rateText} | {name}',
    barCompleteChar: '█',
    barIncompleteChar: '░',
    barsize: 24,
    hideCursor: true,
    autopadding: true,
    clearOnComplete: true,
    gracefulExit: false,
  })
  const log = (line: string) => {
    bars.log(`${line}\n`)
    bars.update()
  }
  const forget = onInterrupt(() => bars.stop())
  return {
    start(line, total) {
      const size = Math.max(total, 1)
      const bar: SingleBar = bars.create(size, 0, {
        name: line,
        doneText: formatBytes(0),
        totalText: formatBytes(total),
        rateText: rateText(undefined, total),
      })
      const rate = rateMeter()
      return {
        update: (done) =>
          bar.update(done, { doneText: formatBytes(done), rateText: rateText(rate(done), total - done) }),
        done: () => {
          bar.update(size, { doneText: formatBytes(total) })
          log(`${line} (${formatBytes(total)})`)
          bars.remove(bar)
        },
        fail: () => bars.remove(bar),
      }
    },
    log,
    stop: () => {
      bars.stop()
      forget()
    },
  }
}

/**
 * Runs one transfer under a progress entry started when its size is known: `run` calls `begin(total)`
 * once, then reports bytes through the returned `FileProgress`. The entry ends as done or failed.
 */
export async function track<T>(
  progress: Progress,
  line: string,
  run: (begin: (total: number) => FileProgress) => Promise<T>,
): Promise<T> {
  let entry: FileProgress | undefined
  try {
    const result = await run((total) => {
      entry = progress.start(line, total)
      return entry
    })
    entry?.done()
    return result
  } catch (error) {
    entry?.fail()
    throw error
  }
}
