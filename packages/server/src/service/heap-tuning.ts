import { setFlagsFromString } from 'node:v8'

/**
 * The V8 flags the service's process starts with (`npm start`, `coffer serve`, the benchmarks; add
 * them to `NODE_OPTIONS` when starting `main.js` another way). A semi-space of the young generation
 * grows to 4 MiB at most instead of the 16 MiB V8 allows it on this kind of machine, so the garbage
 * of streaming (64 KiB socket chunks, file read buffers) is freed within a few MiB instead of piling
 * up in a 32 MiB young generation that V8 then keeps resident.
 *
 * V8 sizes the young generation when the process starts: this flag works on the command line or in
 * `NODE_OPTIONS`, not when set at run time. It bounds memory as the fallback below does, and small
 * requests cost less CPU than under it (`npm run bench`, P3 and P6; figures in the README's
 * Performance section).
 */
export const START_FLAGS = ['--max-semi-space-size=4']

/**
 * Set at run time, whatever the start: V8 runs a young collection once the buffers owned by young
 * objects reach 8 MiB (twice the default maximum semi-space size, which this flag sets) instead of
 * 128 MiB, so dead buffers no longer wait for a full collection.
 *
 * And the old generation grows by half after a full collection, not by V8's own factor (up to 4x
 * when collections are fast): work that makes much short-lived garbage with a small live heap, a
 * PDF export above all, let the heap grow to 100+ MiB of garbage. A 200,000-row PDF export peaked
 * at 205-229 MiB RSS with V8's factor and 145 MiB with this one (live heap ~20 MiB), in about the
 * same time; a million rows at 300 MiB before.
 */
const RUNTIME_FLAGS = ['--scavenger-max-new-space-capacity-mb=2', '--heap-growing-percent=50']

/**
 * When the process started without a semi-space limit: the young generation stays at its initial
 * size (1 MiB per semi-space) instead of growing to 16 MiB. It bounds memory as well, but a young
 * generation that small collects so often under many small requests that the 64 requests in flight
 * survive into the old generation, and each costs more CPU (P3).
 */
const FALLBACK_FLAGS = ['--semi-space-growth-factor=1']

/** Whether V8's command-line flags or `NODE_OPTIONS` give the semi-space limit. */
function limitsSemiSpace(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((arg) =>
    /^--max[-_]semi[-_]space[-_]size(=|$)/.test(arg),
  )
}

/** The flags `tuneHeap` sets in a process started with `execArgv` and `NODE_OPTIONS`. */
export function runtimeHeapFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  return limitsSemiSpace(execArgv, nodeOptions) ? RUNTIME_FLAGS : [...FALLBACK_FLAGS, ...RUNTIME_FLAGS]
}

/**
 * Sets the run-time heap flags; call it before importing the modules that do the work. V8 reads them
 * when it grows or collects the young generation, so setting them now takes effect.
 */
export function tuneHeap(): void {
  for (const flag of runtimeHeapFlags(process.execArgv, process.env.NODE_OPTIONS)) setFlagsFromString(flag)
}
