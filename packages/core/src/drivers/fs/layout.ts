import { randomBytes } from 'node:crypto'
import { join, resolve, sep } from 'node:path'
import { StorageError } from '../../errors.ts'

/**
 * How the fs driver maps keys to files. Every "/"-separated segment but the last is a directory; the
 * object itself is one file named after its last segment plus "~" (so the object `a` is `a~`, and
 * the object `a/b` is `a/b~`: both can exist). A folder marker `a/` is the file `a/~`.
 *
 * Segment names are stored as they are, except that "%" and "~" are percent-encoded: a raw "~" thus
 * only ever appears in names the driver makes itself (objects end with it, temp files start with it),
 * and no key can name one of them.
 */
export const OBJECT_SUFFIX = '~'
export const TEMP_PREFIX = '~tmp-'

/** Linux's NAME_MAX: no file name may be longer, in bytes. */
export const MAX_NAME_BYTES = 255

export function encodeSegment(segment: string): string {
  return segment.replace(/[%~]/g, (c) => (c === '%' ? '%25' : '%7E'))
}

export function decodeSegment(name: string): string {
  return name.replace(/%25|%7E/g, (c) => (c === '%25' ? '%' : '~'))
}

export interface Location {
  /** The directory holding the object's file. */
  dir: string
  /** The object's file. */
  file: string
  /** The directories between the objects' root and `dir`, deepest last (for pruning). */
  parents: string[]
}

export class Layout {
  /** Absolute root of the objects tree. */
  readonly objects: string

  constructor(root: string) {
    this.objects = join(resolve(root), 'objects')
  }

  /** Where a (normalised) key lives. Throws `InvalidKey` for a segment the file system can't hold. */
  locate(key: string): Location {
    const segments = key.split('/')
    const last = segments.pop() as string
    const parents: string[] = []
    let dir = this.objects
    for (const segment of segments) {
      dir = join(dir, this.#name(key, encodeSegment(segment)))
      parents.push(dir)
    }
    const file = join(dir, this.#name(key, encodeSegment(last) + OBJECT_SUFFIX))
    // Defence in depth: the key rules already forbid "..", "." and empty segments.
    if (!file.startsWith(this.objects + sep))
      throw new StorageError('InvalidKey', 'key escapes the storage root')
    return { dir, file, parents }
  }

  /** The directory of a key prefix that ends with "/" ("" is the root). */
  dirOf(prefixKey: string): string {
    const segments = prefixKey.split('/').slice(0, -1)
    return segments.reduce((dir, segment) => join(dir, encodeSegment(segment)), this.objects)
  }

  tempName(): string {
    return TEMP_PREFIX + randomBytes(8).toString('hex')
  }

  #name(key: string, name: string): string {
    if (Buffer.byteLength(name) > MAX_NAME_BYTES) {
      throw new StorageError(
        'InvalidKey',
        `a segment of this key is longer than the fs driver's ${MAX_NAME_BYTES - 1} bytes per segment`,
        { key },
      )
    }
    return name
  }
}

/** Kinds of entries the walk recognises in a directory of the objects tree. */
export function classify(name: string, isFile: boolean, isDirectory: boolean): 'object' | 'dir' | 'other' {
  const tilde = name.indexOf('~')
  if (tilde === -1) return isDirectory ? 'dir' : 'other'
  return isFile && tilde === name.length - 1 ? 'object' : 'other'
}
