import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, startHarness } from './harness.ts'

/**
 * Bidirectional controls (U+202A–U+202E, U+2066–U+2069) make a name show in another order than it
 * is: `invoice<U+202E>fdp.exe` reads `invoiceexe.pdf`. Keys refuse them; so must the file names a
 * tenant sets for downloads, which a save dialog, curl -J or wget shows or uses as they are.
 */
describe('download file names with bidirectional controls', () => {
  let h: Harness
  const spoofed = "attachment; filename*=UTF-8''invoice%E2%80%AEfdp.exe"

  beforeAll(async () => {
    h = await startHarness('sqlite')
  })
  afterAll(() => h?.close())

  it('are refused on upload, storing nothing', async () => {
    const response = await h.fetch('/v1/buckets/documents/objects/invoice.pdf', {
      method: 'PUT',
      token: h.admin,
      headers: { 'content-type': 'application/pdf', 'content-disposition': spoofed },
      body: '%PDF-1.4',
    })
    expect(response.status).toBe(400)
    expect(((await response.json()) as { code: string }).code).toBe('InvalidArgument')
    const head = await h.fetch('/v1/buckets/documents/objects/invoice.pdf', {
      method: 'HEAD',
      token: h.admin,
    })
    expect(head.status).toBe(404)
  })

  it('are refused when pinned in a signed URL', async () => {
    for (const contentDisposition of [spoofed, 'attachment; filename="a\u2067b.exe"']) {
      const response = await h.fetch(
        '/v1/buckets/documents/sign',
        json({ key: 'invoice.pdf', method: 'GET', contentDisposition }, { token: h.admin }),
      )
      expect(response.status, contentDisposition).toBe(400)
    }
  })
})
