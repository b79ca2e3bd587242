import { StorageError } from './errors.ts'

/** S3's limit, which every driver keeps so that objects can move between backends. */
export const MAX_KEY_BYTES = 1024

// C0 controls, DEL and C1 controls: invisible in logs, dangerous in headers and file names.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/
/**
 * Bidirectional embeddings, overrides and isolates (Unicode's "Trojan Source" characters): they make
 * a key display as another, so that `invoice\u202Efdp.exe` reads as "invoiceexe.pdf" in a listing.
 */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/

declare const normalized: unique symbol

/**
 * A key that passed `normalizeKey`: valid under the key rules and in NFC. Only `normalizeKey` (and
 * what is built from its results) makes one, so a function that takes it never checks it again: the
 * driver contract and the service's internals take it; public APIs take `string` and normalise once.
 */
export type NormalizedKey = string & { readonly [normalized]: true }

function reject(key: string, why: string): never {
  // The key itself is echoed only when it is printable; a control character could forge log lines.
  const printable = !(CONTROL.test(key) || BIDI_CONTROL.test(key) || key.length > 200)
  if (!printable) throw new StorageError('InvalidKey', `invalid key: ${why}`)
  throw new StorageError('InvalidKey', (name) => `invalid key "${name}": ${why}`, { key })
}

function checkCharacters(key: string): void {
  if (!key.isWellFormed()) reject(key, 'it is not valid Unicode (lone surrogate)')
  if (CONTROL.test(key)) reject(key, 'control characters (including NUL) are not allowed')
  if (BIDI_CONTROL.test(key))
    reject(key, 'bidirectional control characters (U+202A-U+202E, U+2066-U+2069) are not allowed')
  if (key.includes('\\')) reject(key, 'backslashes are not allowed; use "/" to separate folders')
  if (key.startsWith('/')) reject(key, 'it must not start with "/"')
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) reject(key, `it is longer than ${MAX_KEY_BYTES} UTF-8 bytes`)
}

function checkSegment(key: string, segment: string): void {
  if (segment === '') reject(key, 'empty path segments ("//") are not allowed')
  if (segment === '.' || segment === '..') reject(key, `"${segment}" segments are not allowed`)
}

/**
 * The one key rule set of Coffer, shared by every driver, the server and the CLI. Returns the key in
 * Unicode NFC (so that "é" typed on macOS and on Linux name the same object) or throws `InvalidKey`.
 *
 * A key is 1 to 1024 UTF-8 bytes of "/"-separated segments; no segment is empty, "." or ".."; no
 * control character, bidirectional control (U+202A-U+202E, U+2066-U+2069) or backslash appears; it
 * does not start with "/". A trailing "/" is allowed: such a key is a folder marker, as in S3 consoles.
 */
export function normalizeKey(key: string): NormalizedKey {
  if (typeof key !== 'string' || key === '') reject('', 'a key must be a non-empty string')
  const nfc = key.normalize('NFC')
  checkCharacters(nfc)
  const segments = nfc.split('/')
  if (nfc.endsWith('/')) segments.pop()
  for (const segment of segments) checkSegment(nfc, segment)
  return nfc as NormalizedKey
}

/**
 * Validates a listing prefix: the empty string, or a key-like string whose last segment may be
 * partial (`photos/ca` lists `photos/cat.png`). Complete segments follow the key rules.
 */
export function normalizePrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === '') return ''
  if (typeof prefix !== 'string') reject('', 'a prefix must be a string')
  const nfc = prefix.normalize('NFC')
  checkCharacters(nfc)
  const complete = nfc.split('/').slice(0, -1)
  for (const segment of complete) checkSegment(nfc, segment)
  return nfc
}

/** Maps a UTF-16 code unit so that comparing mapped units orders strings by code point. */
function codePointOrder(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000 // surrogates: code points above U+FFFF
  if (unit >= 0xe000) return unit - 0x800
  return unit
}

/**
 * Orders keys as S3 does: by their UTF-8 bytes, which is code point order. JavaScript's `<` compares
 * UTF-16 code units and puts U+10000 and above before U+E000–U+FFFF, so it cannot be used directly.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return codePointOrder(x) - codePointOrder(y)
  }
  return a.length - b.length
}

/** Percent-encodes each segment of a key for use in a URL path, keeping the "/" separators. */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/')
}

/**
 * Refuses a key with a segment longer than a backend can store (file-system based stores limit a
 * file name to 255 bytes). Drivers declare their limit as `capabilities.maxSegmentBytes`.
 */
export function checkSegmentLength(key: string, maxSegmentBytes: number | undefined): void {
  if (maxSegmentBytes === undefined) return
  for (const segment of key.split('/')) {
    if (Buffer.byteLength(segment) > maxSegmentBytes) {
      reject(key, `a segment is longer than the ${maxSegmentBytes} bytes this storage allows per segment`)
    }
  }
}
