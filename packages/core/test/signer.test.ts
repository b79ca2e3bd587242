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
    expect(refusal(() => verify(url.replace('attachment', 'inline')))).toMatch(/signature/)
    expect(refusal(() => verify(url.replace(/Signature=[^&]+/, 'Signature=AAAA')))).toMatch(/signature/)
    expect(refusal(() => verify(url.replace(/&X-Coffer-Signature=[^&]+/, '')))).toMatch(/signature/)
    expect(refusal(() => signer.parse(url.replace('files.example.com', 'evil.example.com')))).toMatch(
      /not one/,
    )
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
