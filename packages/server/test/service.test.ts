import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, json, startHarness } from './harness.ts'

describe('the service around the API', () => {
  let h: Harness

  beforeAll(async () => {
    h = await startHarness('sqlite')
  })
  afterAll(() => h?.close())

  it('answers /healthz and /readyz', async () => {
    expect(await (await h.fetch('/healthz')).json()).toEqual({ status: 'ok' })
    expect(await (await h.fetch('/readyz')).json()).toEqual({ status: 'ready' })
  })

  it('serves the OpenAPI document and its UI at /docs', async () => {
    const spec = (await (await h.fetch('/docs/json')).json()) as {
      openapi: string
      paths: Record<string, object>
    }
    expect(spec.openapi).toBe('3.1.0')
    for (const path of [
      '/v1/buckets',
      '/v1/buckets/{bucket}/objects/{*}',
      '/v1/buckets/{bucket}/sign',
      '/v1/keys',
      '/public/{bucket}/{*}',
    ]) {
      expect(Object.keys(spec.paths), path).toContain(path)
    }
    const ui = await h.fetch('/docs/')
    expect(ui.status).toBe(200)
    expect(await ui.text()).toContain('swagger')
  })

  it('writes one log line per request, with credentials, cookies and signatures redacted', async () => {
    h.logs.length = 0
    const sign = await h.fetch(
      '/v1/buckets/documents/sign',
      json({ key: 'log.txt', method: 'PUT', expiresIn: 60 }, { token: h.admin }),
    )
    const { url } = (await sign.json()) as { url: string }
    const signature = new URL(url).searchParams.get('X-Coffer-Signature') as string
    await fetch(url, { method: 'PUT', body: 'x', headers: { cookie: 'session=cookie-secret' } })
    await h.fetch('/v1/buckets/documents/objects/log.txt?access_token=query-secret', { token: h.admin })
    await h.fetch('/v1/buckets/documents/objects/log.txt', {
      headers: { authorization: 'Bearer cfr_wrong-secret' },
    })
    const text = h.logs.join('')
    for (const secret of [h.admin, signature, 'cookie-secret', 'query-secret', 'wrong-secret']) {
      expect(text).not.toContain(secret)
    }
    expect(text).toContain('X-Coffer-Signature=[redacted]')
    expect(text).toContain('access_token=[redacted]')
    const lines = h.logs.map(
      (line) => JSON.parse(line) as { reqId: string; msg: string; status?: number; code?: string },
    )
    expect(lines).toHaveLength(4)
    expect(new Set(lines.map((l) => l.reqId)).size).toBe(4)
    expect(lines.map((l) => [l.msg, l.status])).toEqual([
      ['request', 200],
      ['request', 200],
      ['request', 200],
      ['request', 401],
    ])
    expect(lines.at(-1)).toMatchObject({ status: 401, code: 'MissingCredentials' })
  })

  it('hides internal failures: a generic problem for the caller, the cause in the log, no host path', async () => {
    await h.fetch('/v1/buckets/documents/objects/broken.txt', { method: 'PUT', token: h.admin, body: 'fine' })
    await writeFile(join(h.filesDir, 'objects', 'documents', 'broken.txt~'), 'not a coffer record')
    h.logs.length = 0
    const response = await h.fetch('/v1/buckets/documents/objects/broken.txt', { token: h.admin })
    expect(response.status).toBe(500)
    const body = await response.text()
    expect(JSON.parse(body)).toEqual({
      type: 'urn:coffer:error:Internal',
      title: 'Internal Server Error',
      status: 500,
      detail: 'internal error',
      code: 'Internal',
    })
    expect(body).not.toContain(h.filesDir)
    const line = JSON.parse(h.logs.at(-1) as string) as {
      level: number
      code: string
      cause: { message: string }
    }
    expect(line).toMatchObject({ level: 50, code: 'Internal' })
    expect(line.cause.message).toContain('damaged')
    expect(h.logs.join('')).not.toContain(h.filesDir)
  })

  it('answers /readyz with 503 when the index is gone', async () => {
    await h.db.destroy()
    const response = await h.fetch('/readyz')
    expect(response.status).toBe(503)
    expect(await response.json()).toMatchObject({
      code: 'Unavailable',
      detail: 'the index database does not answer',
    })
  })
})
