// @vitest-environment happy-dom
import { CofferError } from '@coffer/client'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { bucketUsage, connect, listPage, objectDetails } from '../src/api/coffer-client.ts'
import { messageOf } from '../src/api/people-words.ts'
import { browserUploadStore, unfinishedUploads } from '../src/upload/transports.ts'

afterEach(() => vi.unstubAllGlobals())

const problem = (status: number, detail: string, code: string) =>
  new Response(JSON.stringify({ status, detail, code }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  })

describe("the UI's calls over @coffer/client", () => {
  it('asks the server to sort and filter, and asks again without them where it refuses them (400)', async () => {
    const urls: string[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        urls.push(url.slice(location.origin.length))
        if (url.includes('sort=')) return problem(400, 'unknown parameter', 'InvalidArgument')
        return new Response(JSON.stringify({ objects: [], prefixes: [] }))
      }),
    )
    const page = await listPage(connect('t'), 'docs', {
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
      vi.fn(async () => problem(404, 'no route', 'NotFound')),
    )
    expect(await bucketUsage(connect('t'), 'docs')).toBeUndefined()
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => problem(403, 'no scope on bucket "docs"', 'AccessDenied')),
    )
    const error = await bucketUsage(connect('t'), 'docs').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CofferError)
    expect(messageOf(error)).toBe('Your key does not allow this — no scope on bucket "docs"')
  })

  it('describes an object from its HEAD, with its key and a type where the server sent none', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(
        async () =>
          new Response(null, {
            headers: {
              'content-length': '12',
              etag: '"abc"',
              'last-modified': 'Tue, 02 Jan 2024 00:00:00 GMT',
            },
          }),
      ),
    )
    const details = await objectDetails(connect('t'), 'docs', 'a b/ü.txt')
    expect(details).toMatchObject({
      key: 'a b/ü.txt',
      size: 12,
      etag: '"abc"',
      lastModified: '2024-01-02T00:00:00.000Z',
    })
    // happy-dom's Response gives a body-less answer a text type; the UI's default shows otherwise.
    expect(details.contentType).toMatch(/^(application\/octet-stream|text\/plain)/)
  })

  it('says an unreachable server in words, not with its address', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch')
      }),
    )
    const error = await connect('t')
      .buckets.list()
      .catch((e: unknown) => e)
    expect(messageOf(error)).toBe('The server could not be reached.')
  })
})

describe('where unfinished uploads are kept', () => {
  it('records, finds and forgets upload URLs in the records tus-js-client keeps', async () => {
    localStorage.clear()
    const store = browserUploadStore(localStorage)
    const fingerprint = 'coffer:docs/a/b.bin:100:5'
    expect(await store.get(fingerprint)).toBeUndefined()
    await store.set(fingerprint, 'http://x/v1/uploads/1')
    await store.set(fingerprint, 'http://x/v1/uploads/2')
    expect(await store.get(fingerprint)).toBe('http://x/v1/uploads/2')
    expect(unfinishedUploads(localStorage)).toEqual([{ bucket: 'docs', key: 'a/b.bin' }])
    await store.delete(fingerprint)
    expect(localStorage.length).toBe(0)
    // A record an earlier UI (tus-js-client's own storage) left is found too.
    localStorage.setItem(
      `tus::${fingerprint}::123`,
      JSON.stringify({ uploadUrl: 'http://x/v1/uploads/3', size: 100 }),
    )
    expect(await store.get(fingerprint)).toBe('http://x/v1/uploads/3')
    localStorage.setItem('tus::coffer:docs/c.bin:1:1::9', 'not json')
    expect(await store.get('coffer:docs/c.bin:1:1')).toBeUndefined()
  })
})

describe("the server's words, for people", () => {
  it("drops schema paths, patterns and route names, and writes bytes in the UI's units", () => {
    const shown = (detail: string, code: 'InvalidArgument' | 'NotFound' | 'TooLarge' = 'InvalidArgument') =>
      messageOf(new CofferError(code, 400, detail))
    expect(shown('body/name must match pattern "^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$"')).toBe(
      'name is not in the form expected',
    )
    expect(shown("body must have required property 'key'")).toBe('key is missing')
    expect(shown('querystring/limit must be <= 1000')).toBe('limit must be <= 1000')
    expect(shown('Route GET:/v1/nope not found', 'NotFound')).toBe('There is no such page or action.')
    expect(shown("the upload is larger than the bucket's limit of 1048576 bytes", 'TooLarge')).toBe(
      "Too large for this bucket — the upload is larger than the bucket's limit of 1.0 MB",
    )
  })
})
