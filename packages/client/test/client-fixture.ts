import { afterAll, beforeAll } from 'vitest'
import { type Harness, startHarness } from '../../server/test/harness.ts'
import { CofferClient } from '../src/index.ts'

/** A real service for a test file, and a client of it with the admin key; `requests` counts calls. */
export interface ClientFixture {
  harness: Harness
  client: CofferClient
  /** Every request the client sent, as `METHOD path?query`. */
  requests: string[]
  /** Another client of the same service, with another token (or none). */
  clientWith(token: string | undefined): CofferClient
}

/** Starts the service before the file's tests and stops it after them. */
export function useClient(): ClientFixture {
  const fixture = { requests: [] as string[] } as ClientFixture
  beforeAll(async () => {
    const harness = await startHarness('sqlite')
    const counted: typeof fetch = (input, init) => {
      const url = new URL(String(input))
      fixture.requests.push(`${init?.method ?? 'GET'} ${url.pathname}${url.search}`)
      return fetch(input, init)
    }
    fixture.harness = harness
    fixture.clientWith = (token) =>
      new CofferClient({ url: harness.url, contentUrl: harness.contentUrl, token, fetch: counted })
    fixture.client = fixture.clientWith(harness.admin)
  })
  afterAll(() => fixture.harness?.close())
  return fixture
}

/** Every byte of a stream. */
export async function bytesOf(stream: ReadableStream<Uint8Array> | null): Promise<Buffer> {
  return Buffer.from(await new Response(stream).arrayBuffer())
}
