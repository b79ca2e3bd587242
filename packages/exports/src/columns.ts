import { StorageError } from '@coffer/core'
import type { ColumnType, ExportColumn, ExportRow } from './export-options.ts'

/** A column with every field decided. */
export interface Column {
  key: string
  header: string
  type: ColumnType
}

/** At most this many columns: a wider table is no export anyone reads. */
export const MAX_COLUMNS = 1024
const MAX_NAME_LENGTH = 1024
const TYPES: readonly ColumnType[] = ['auto', 'text', 'number', 'date', 'boolean']

function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length > MAX_NAME_LENGTH) {
    throw new StorageError(
      'InvalidArgument',
      `${what} must be a string of at most ${MAX_NAME_LENGTH} characters`,
    )
  }
  return value
}

function toColumn(spec: string | ExportColumn, index: number): Column {
  if (typeof spec === 'string')
    return { key: checkName(spec, `column ${index + 1}`), header: spec, type: 'auto' }
  if (typeof spec !== 'object' || spec === null) {
    throw new StorageError('InvalidArgument', `column ${index + 1} must be a name or { key, header?, type? }`)
  }
  const key = checkName(spec.key, `column ${index + 1}'s key`)
  const header = spec.header === undefined ? key : checkName(spec.header, `column ${index + 1}'s header`)
  const type = spec.type ?? 'auto'
  if (!TYPES.includes(type)) {
    throw new StorageError('InvalidArgument', `column ${index + 1}'s type must be one of ${TYPES.join(', ')}`)
  }
  return { key, header, type }
}

/**
 * The columns of an export: the given ones, checked, or else the fields of the first row (a stream
 * cannot be read twice, so fields that only later rows have are not columns then).
 */
export function resolveColumns(
  specs: readonly (string | ExportColumn)[] | undefined,
  first: ExportRow | undefined,
): Column[] {
  const list = specs ?? Object.keys(first ?? {})
  if (!Array.isArray(list) || list.length > MAX_COLUMNS) {
    throw new StorageError('InvalidArgument', `columns must be a list of at most ${MAX_COLUMNS} columns`)
  }
  return list.map(toColumn)
}

/** A value as text: numbers and booleans as JSON writes them, dates in ISO 8601, objects as JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString()
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/

/** A value typed for a spreadsheet cell: number, boolean, Date, text or empty. */
export function cellValue(value: unknown, type: ColumnType): string | number | boolean | Date | null {
  if (value === null || value === undefined) return null
  if (type === 'text') return cellText(value)
  if (typeof value === 'number') return Number.isFinite(value) ? value : cellText(value)
  if (typeof value === 'boolean') return value
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value
  if (typeof value === 'string') {
    if (type === 'number' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value)
    if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true'
    if (type === 'date' && ISO_DATE.test(value)) {
      const date = new Date(value)
      if (!Number.isNaN(date.getTime())) return date
    }
  }
  return cellText(value)
}
