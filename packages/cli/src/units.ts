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

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }

/**
 * Parses a duration into seconds: bare seconds (`90`), one unit (`30s`, `15m`, `1h`, `7d`, `2w`) or
 * several, largest first, as Go and rclone write them (`2h30m`, `1d12h`).
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed)
  const parts = [...trimmed.matchAll(/(\d+)([wdhms])/g)]
  const units = parts.map((part) => part[2] ?? '')
  const ordered = units.every(
    (unit, i) => i === 0 || 'wdhms'.indexOf(unit) > 'wdhms'.indexOf(units[i - 1] ?? ''),
  )
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== trimmed || !ordered)
    throw new UsageError(`bad duration: ${text} (use e.g. 30s, 15m, 2h30m, 7d)`)
  return parts.reduce((sum, part) => sum + Number(part[1]) * (UNIT_SECONDS[part[2] ?? 's'] ?? 1), 0)
}

/** Seconds for people, as `parseDuration` reads them: `45s`, `2m05s`, `1h02m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}
