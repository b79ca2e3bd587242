/** How far back the speed looks: long enough to smooth chunked progress, short enough to follow changes. */
const WINDOW_MS = 5000
/** Below this span there is too little to tell a speed. */
const MIN_SPAN_MS = 500

/** Bytes sent over the last few seconds, for a speed and a time left. */
export class SpeedMeter {
  private samples: { t: number; moved: number }[] = []
  private moved = 0

  /** Counts `bytes` more sent at time `t` (ms). */
  add(bytes: number, t: number): void {
    if (bytes <= 0) return
    this.moved += bytes
    this.samples.push({ t, moved: this.moved })
    // Keep one sample older than the window, so the window is always spanned.
    while (this.samples.length > 2 && (this.samples[1]?.t ?? t) <= t - WINDOW_MS) this.samples.shift()
  }

  /** Bytes a second over the window, or undefined when too little was seen (or it stalled since). */
  rate(t: number): number | undefined {
    const first = this.samples[0]
    const last = this.samples[this.samples.length - 1]
    if (!first || !last || last.t - first.t < MIN_SPAN_MS || t - last.t > WINDOW_MS) return undefined
    return ((last.moved - first.moved) * 1000) / (last.t - first.t)
  }
}

/** A time left for people: `12 s left`, `4 min left`, `2 h left`. */
export function timeLeftText(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s left`
  if (seconds < 3600) return `${Math.round(seconds / 60)} min left`
  return `${Math.round(seconds / 3600)} h left`
}
