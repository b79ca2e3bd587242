import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** A share's id: 128 random bits, base64url; unguessable on its own. */
export function newShareId(): string {
  return randomBytes(16).toString('base64url')
}

function mac(secret: string, id: string): string {
  // The purpose is signed too, so that no other HMAC Coffer makes with this secret can pass as one.
  return createHmac('sha256', secret).update(`coffer-share\n${id}`).digest('base64url')
}

/**
 * The secret part of a share's link: `<id>.<mac>`. The index keeps only the id, so that a copy of
 * the index (a backup, a read replica) opens no link; the service, holding the signing secret, can
 * show a share's link again to whoever may manage it.
 */
export function shareToken(secret: string, id: string): string {
  return `${id}.${mac(secret, id)}`
}

/** The share id a token names, when its MAC holds; undefined for anything else. */
export function shareIdOf(secret: string, token: string): string | undefined {
  const match = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(token)
  if (match === null) return undefined
  const id = match[1] as string
  const expected = Buffer.from(mac(secret, id))
  const given = Buffer.from(match[2] as string)
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined
}
