const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB']

/** Bytes for people: 1 decimal above 1 KB, base 1024 (`1.5 MB`). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${bytes} B`
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** A date for people, in their locale. */
export function formatDate(iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? '' : dateFormat.format(date)
}

/** The last segment of a key or prefix (`a/b/c.txt` → `c.txt`, `a/b/` → `b`). */
export function baseName(key: string): string {
  const trimmed = key.endsWith('/') ? key.slice(0, -1) : key
  return trimmed.slice(trimmed.lastIndexOf('/') + 1)
}

/** Parses a size typed by a person (`5 MiB`, `200k`, `1.5GB`, `1024`); undefined when empty or bad. */
export function parseBytes(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(text)
  if (!match) return undefined
  const power = ' kmgt'.indexOf((match[2] || ' ').toLowerCase())
  return Math.round(Number(match[1]) * 1024 ** power)
}
