import { formatBytes, formatDuration } from '../units.ts'

/**
 * A transfer's speed in bytes per second, from the bytes done at each update since the first (a
 * resumed upload starts above 0, and what an earlier run sent is not counted); `undefined` for the
 * first second, when a figure would be noise. `now` is in milliseconds (a clock for tests).
 */
export function rateMeter(now: () => number = () => performance.now()): (done: number) => number | undefined {
  const start = now()
  let first: number | undefined
  return (done) => {
    first ??= done
    const seconds = (now() - start) / 1000
    return seconds < 1 ? undefined : (done - first) / seconds
  }
}

/** `12.5 MiB/s, 0m42s left` for `left` bytes to go at `rate`; dashes while the speed is not known. */
export function rateText(rate: number | undefined, left: number): string {
  if (rate === undefined) return '-/s, - left'
  const time = rate > 0 ? formatDuration(left / rate) : '-'
  return `${formatBytes(rate)}/s, ${time} left`
}
