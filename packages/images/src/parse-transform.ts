// The errors module only: this file is in the browser-safe `@coffer/images/render-url` graph.
import { StorageError } from '@coffer/core/errors'
import {
  FITS,
  type Fit,
  MAX_OUTPUT_SIDE,
  POSITIONS,
  type Position,
  REQUESTED_FORMATS,
  type RequestedFormat,
  type Transform,
} from './transform.ts'

/** Parameters as they come: a query string's, a JSON object's, or the `w=200,h=200` text form. */
export type TransformInput = URLSearchParams | string | Readonly<Record<string, string | number | undefined>>

export interface ParseTransformOptions {
  /** Parameters that belong to the caller (a signature, `variant`) and are skipped, not refused. */
  ignore?: Iterable<string>
}

/** Other names accepted for the same parameters (Supabase's, and the spelled-out ones). */
const ALIASES: Readonly<Record<string, string>> = {
  width: 'w',
  height: 'h',
  resize: 'fit',
  quality: 'q',
  pos: 'position',
  gravity: 'position',
}

/** CSS-style positions, as the gravities sharp names them. */
const POSITION_ALIASES: Readonly<Record<string, Position>> = {
  center: 'centre',
  top: 'north',
  'top-right': 'northeast',
  right: 'east',
  'bottom-right': 'southeast',
  bottom: 'south',
  'bottom-left': 'southwest',
  left: 'west',
  'top-left': 'northwest',
}

/**
 * Reads and normalises render parameters (`w`, `h`, `fit`, `position`, `format`, `q`, `dpr`,
 * `frame`) into a canonical `Transform`. Throws `InvalidArgument` for an unknown parameter, a
 * repeated one, or a value out of range; never clamps silently what the caller spelled out, except
 * `w`/`h` times `dpr`, which is capped at 4096 (a 3× render of a 2000 px box is still a valid ask).
 */
export function parseTransform(input: TransformInput, options: ParseTransformOptions = {}): Transform {
  const raw = collect(input, new Set(options.ignore ?? []))
  const dpr = raw.dpr === undefined ? 1 : number('dpr', raw.dpr, 1, 3, false)
  const scaled = (name: string, value: string | undefined) =>
    value === undefined
      ? undefined
      : Math.min(MAX_OUTPUT_SIDE, Math.round(number(name, value, 1, MAX_OUTPUT_SIDE, true) * dpr))
  const w = scaled('w', raw.w)
  const h = scaled('h', raw.h)
  const fit = raw.fit === undefined ? 'cover' : oneOf<Fit>('fit', raw.fit, FITS)
  const position = raw.position === undefined ? 'centre' : positionOf(raw.position)
  if ((position === 'attention' || position === 'entropy') && fit !== 'cover') {
    throw new StorageError('InvalidArgument', `position=${position} works only with fit=cover`)
  }
  const format =
    raw.format === undefined ? 'auto' : oneOf<RequestedFormat>('format', raw.format, REQUESTED_FORMATS)
  const q = raw.q === undefined ? undefined : number('q', raw.q, 20, 100, true)
  if (raw.frame !== undefined && raw.frame !== 'first' && raw.frame !== 'all') {
    throw new StorageError('InvalidArgument', 'frame must be first or all')
  }
  const box = w !== undefined && h !== undefined
  return {
    ...(w === undefined ? {} : { w }),
    ...(h === undefined ? {} : { h }),
    // With one side given the aspect ratio decides the other, so fit and position change nothing.
    ...(box && fit !== 'cover' ? { fit } : {}),
    ...(box && (fit === 'cover' || fit === 'contain') && position !== 'centre' ? { position } : {}),
    ...(format === 'auto' ? {} : { format }),
    ...(q === undefined || format === 'png' ? {} : { q }),
    ...(raw.frame === 'first' ? { frame: 'first' as const } : {}),
  }
}

/** The parameters by their canonical names, refusing unknown and repeated ones. */
function collect(input: TransformInput, ignore: ReadonlySet<string>): Record<string, string | undefined> {
  const entries: [string, string][] =
    typeof input === 'string'
      ? textEntries(input)
      : input instanceof URLSearchParams
        ? [...input]
        : Object.entries(input).flatMap(([k, v]) =>
            v === undefined ? [] : [[k, String(v)] as [string, string]],
          )
  const raw: Record<string, string | undefined> = {}
  for (const [key, value] of entries) {
    if (ignore.has(key)) continue
    const name = ALIASES[key] ?? key
    if (!['w', 'h', 'fit', 'position', 'format', 'q', 'dpr', 'frame'].includes(name)) {
      throw new StorageError('InvalidArgument', `unknown render parameter: ${clip(key)}`)
    }
    if (raw[name] !== undefined) throw new StorageError('InvalidArgument', `${name} is given more than once`)
    raw[name] = value
  }
  return raw
}

/** `w=200,h=200` (commas or ampersands between pairs), the CLI's and the canonical form. */
function textEntries(text: string): [string, string][] {
  return text
    .split(/[,&]/)
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const at = part.indexOf('=')
      if (at < 1) throw new StorageError('InvalidArgument', `render parameters are name=value: ${clip(part)}`)
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()]
    })
}

function number(name: string, value: string, min: number, max: number, integer: boolean): number {
  const pattern = integer ? /^\d{1,5}$/ : /^\d{1,5}(\.\d{1,3})?$/
  const parsed = Number(value)
  if (!pattern.test(value) || parsed < min || parsed > max) {
    throw new StorageError(
      'InvalidArgument',
      `${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`,
    )
  }
  return parsed
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  const lower = value.toLowerCase()
  if (!(allowed as readonly string[]).includes(lower)) {
    throw new StorageError('InvalidArgument', `${name} must be one of ${allowed.join(', ')}`)
  }
  return lower as T
}

function positionOf(value: string): Position {
  const lower = value.toLowerCase()
  return POSITION_ALIASES[lower] ?? oneOf<Position>('position', lower, POSITIONS)
}

/** Echoes of caller input stay short, so an error message can't be used to reflect a payload. */
function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text
}
