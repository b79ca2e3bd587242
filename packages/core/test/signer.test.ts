import { describe, expect, it } from 'vitest'
import { isStorageError, UrlSigner } from '../src/index.ts'

const signer = new UrlSigner('s'.repeat(32), 'https://files.example.com/signed/')
const now = Date.UTC(2026, 0, 1)

function verify(url: string, method = 'GET', at = now) {
  const { key, query } = signer.parse(url)
  return signer.verify(key, method, query, at)
}

function refusal(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(isStorageError(error, 'AccessDenied')).toBe(true)
    return (error as Error).message
  }
  throw new Error('expected a refusal')
}

describe('Coffer signed URLs', () => {
  const url = signer.sign(
    'docs/Été 2026/a b.pdf',
    { method: 'GET', expiresIn: 60, contentDisposition: 'attachment' },
    now,
  )

  it('grants one key and method until expiry', () => {
    expect(url.startsWith('https://files.example.com/signed/docs/%C3%89t%C3%A9%202026/a%20b.pdf?')).toBe(true)
    expect(verify(url)).toEqual({
      key: 'docs/Été 2026/a b.pdf',
      method: 'GET',
      issuedAt: new Date(now),
      expiresAt: new Date(now + 60_000),
      contentDisposition: 'attachment',
    })
    expect(verify(url, 'HEAD').method).toBe('GET')
  })

  it('refuses expired, tampered and wrong-method use', () => {
    expect(refusal(() => verify(url, 'GET', now + 60_000))).toMatch(/expired/)
    expect(refusal(() => verify(url, 'PUT'))).toMatch(/signed for GET/)
    expect(refusal(() => verify(url.replace('a%20b.pdf', 'c.pdf')))).toMatch(/signature/)
    expect(refusal(() => verify(url.replace(/X-Coffer-Expires=\d+/, 'X-Coffer-Expires=9999999999')))).toMatch(
      /signature/,
    )
    expect(refusal(() => verify(url.replace('Method=GET', 'Method=PUT'), 'PUT'))).toMatch(/signature/)
    expect(refusal(() => verify(url.replace(/X-Coffer-Date=\d+/, 'X-Coffer-Date=1')))).toMatch(/signature/)
    expect(refusal(() => verify(url.replace('attachment', 'inline')))).toMatch(/signature/)
    expect(refusal(() => verify(url.replace(/Signature=[^&]+/, 'Signature=AAAA')))).toMatch(/signature/)
    expect(refusal(() => verify(url.replace(/&X-Coffer-Signature=[^&]+/, '')))).toMatch(/signature/)
    expect(refusal(() => signer.parse(url.replace('files.example.com', 'evil.example.com')))).toMatch(
      /not one/,
    )
  })

  it('accepts one spelling of a signature only: no padding, + or /, or other trailing bits', () => {
    const given = new URL(url).searchParams.get('X-Coffer-Signature') as string
    const bytes = Buffer.from(given, 'base64url')
    const last = given.at(-1) as string
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const sameBytes = alphabet[alphabet.indexOf(last) + 1] as string // differs in the unused bits only
    const variants = [`${given}=`, bytes.toString('base64'), `${given.slice(0, -1)}${sameBytes}`, ` ${given}`]
    for (const variant of variants) {
      const altered = new URL(url)
      altered.searchParams.set('X-Coffer-Signature', variant)
      expect(
        refusal(() => verify(altered.toString())),
        variant,
      ).toMatch(/signature/)
    }
    expect(Buffer.from(`${given.slice(0, -1)}${sameBytes}`, 'base64url')).toEqual(bytes)
  })

  it('binds a URL to its issuer', () => {
    const bound = signer.sign('k', { method: 'PUT', expiresIn: 60, issuer: 'key:key_1' }, now)
    expect(verify(bound, 'PUT').issuer).toBe('key:key_1')
    expect(refusal(() => verify(bound.replace('key_1', 'key_2'), 'PUT'))).toMatch(/signature/)
    expect(refusal(() => verify(bound.replace(/&X-Coffer-Issuer=[^&]+/, ''), 'PUT'))).toMatch(/signature/)
    // A signed value cannot move into the next one: a pinned type with a newline is refused when
    // signing, and moving text from one signed field into another breaks the signature.
    expect(() => signer.sign('k', { method: 'GET', expiresIn: 60, contentType: 'a/b\nkey:x' }, now)).toThrow(
      /content type/,
    )
    const pinned = signer.sign(
      'k',
      { method: 'GET', expiresIn: 60, contentType: 'a/b', contentDisposition: 'inline' },
      now,
    )
    const shifted = new URL(pinned)
    shifted.searchParams.set('X-Coffer-Content-Type', 'a/binline')
    shifted.searchParams.delete('X-Coffer-Content-Disposition')
    expect(refusal(() => verify(shifted.toString()))).toMatch(/signature/)
  })

  it('pins the content type of an upload', () => {
    const put = signer.sign('up.png', { method: 'PUT', expiresIn: 600, contentType: 'image/png' }, now)
    expect(verify(put, 'PUT').contentType).toBe('image/png')
    expect(refusal(() => verify(put.replace('image%2Fpng', 'text%2Fhtml'), 'PUT'))).toMatch(/signature/)
  })

  it('does not accept another secret', () => {
    const other = new UrlSigner('t'.repeat(32), 'https://files.example.com/signed')
    const { key, query } = other.parse(url)
    expect(refusal(() => other.verify(key, 'GET', query, now))).toMatch(/signature/)
  })

  it('refuses short secrets and out-of-range expiry', () => {
    expect(() => new UrlSigner('short', 'http://x')).toThrow(/16 bytes/)
    for (const expiresIn of [0, -1, 604_801, 0.5]) {
      expect(() => signer.sign('k', { method: 'GET', expiresIn })).toThrow(/expiresIn/)
    }
    expect(() => signer.sign('k', { method: 'DELETE' as 'GET', expiresIn: 1 })).toThrow(/GET or PUT/)
  })
})
