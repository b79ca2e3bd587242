import { UsageError } from './coffer-url.ts'

const MULTIPLIER: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
  t: 1024 ** 4,
  tib: 1024 ** 4,
  tb: 1000 ** 4,
}

/** Parses a size such as `5242880`, `64MiB`, `1.5G` (K, M, G, T are binary; KB, MB, GB, TB decimal). */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim())
  const multiplier = MULTIPLIER[(match?.[2] ?? '').toLowerCase()]
  if (!match || multiplier === undefined)
    throw new UsageError(`bad size: ${text} (use e.g. 5242880, 64MiB, 1GiB)`)
  return Math.round(Number(match[1]) * multiplier)
}

/** A byte count for people: `512 B`, `1.5 KiB`, `64.0 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`
}
