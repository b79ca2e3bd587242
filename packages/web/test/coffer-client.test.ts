import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../src/api/api-error.ts'
import { CofferClient, objectPath } from '../src/api/coffer-client.ts'

afterEach(() => vi.unstubAllGlobals())

const problem = (status: number, detail: string) =>
  new Response(JSON.stringify({ status, detail, code: 'X' }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  })

describe('the API client', () => {
  it('encodes each key segment', () => {
    expect(objectPath('docs', 'a b/ü#?.txt')).toBe('/v1/buckets/docs/objects/a%20b/%C3%BC%23%3F.txt')
  })

  it('asks the server to sort and filter, and asks again without them where it refuses them (400)', async () => {
    const urls: string[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        urls.push(url)
        if (url.includes('sort=')) return problem(400, 'unknown parameter')
        return new Response(JSON.stringify({ objects: [], prefixes: [] }))
      }),
    )
    const page = await new CofferClient('t').list('docs', {
      prefix: 'a/',
      delimiter: '/',
      sort: 'size',
      order: 'desc',
      q: 'x',
    })
    expect(page).toEqual({ objects: [], prefixes: [] })
    expect(urls).toEqual([
      '/v1/buckets/docs/objects?prefix=a%2F&delimiter=%2F&limit=1000&sort=size&order=desc&q=x',
      '/v1/buckets/docs/objects?prefix=a%2F&delimiter=%2F&limit=1000',
    ])
  })

  it('has no usage where the server has no usage route, and throws the problem otherwise', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => problem(404, 'no route')),
    )
    expect(await new CofferClient('t').usage('docs')).toBeUndefined()
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => problem(403, 'no scope on bucket "docs"')),
    )
    const error = await new CofferClient('t').usage('docs').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).display).toBe('Your key does not allow this — no scope on bucket "docs"')
  })

  it('reads metadata from HEAD, UTF-8 in Latin-1 headers included', async () => {
    const utf8AsLatin1 = String.fromCharCode(...new TextEncoder().encode('Zoë'))
    vi.stubGlobal(
      'fetch',
      vi.fn(
        async () =>
          new Response(null, {
            headers: {
              'content-length': '12',
              'content-type': 'text/plain',
              etag: '"abc"',
              'last-modified': 'Tue, 02 Jan 2024 00:00:00 GMT',
              'x-coffer-meta-owner': utf8AsLatin1,
            },
          }),
      ),
    )
    const details = await new CofferClient('t').head('docs', 'a.txt')
    expect(details).toMatchObject({
      size: 12,
      contentType: 'text/plain',
      etag: '"abc"',
      metadata: { owner: 'Zoë' },
    })
    expect(details.lastModified).toBe('2024-01-02T00:00:00.000Z')
  })
})

describe("the server's words, for people", () => {
  it("drops schema paths, patterns and route names, and writes bytes in the UI's units", () => {
    const shown = (detail: string, status = 400) => new ApiError(status, { detail }).display
    expect(shown('body/name must match pattern "^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$"')).toBe(
      'name is not in the form expected',
    )
    expect(shown("body must have required property 'key'")).toBe('key is missing')
    expect(shown('querystring/limit must be <= 1000')).toBe('limit must be <= 1000')
    expect(shown('Route GET:/v1/nope not found', 404)).toBe('There is no such page or action.')
    expect(shown("the upload is larger than the bucket's limit of 1048576 bytes", 413)).toBe(
      "Too large for this bucket — the upload is larger than the bucket's limit of 1.0 MB",
    )
  })
})
