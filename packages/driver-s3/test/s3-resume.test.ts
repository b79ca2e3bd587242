import { randomBytes } from 'node:crypto'
import { PassThrough, Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { describe, expect, it } from 'vitest'
import { ResumingBody } from '../src/s3-resume.ts'

/** The body's bytes, or 'hung' when it neither ends nor fails within 10 s (it hung before the fix). */
async function read(body: Readable): Promise<Buffer | 'hung' | Error> {
  const hung = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 10_000).unref())
  return Promise.race([buffer(body).catch((error: Error) => error), hung])
}

describe('a response body that resumes', () => {
  const whole = randomBytes(100_000)
  const rest = async (offset: number) => Readable.from([whole.subarray(offset)])

  it('reads on from where a body broke', async () => {
    const first = new PassThrough()
    first.write(whole.subarray(0, 30_000))
    setImmediate(() => first.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })))
    expect(await read(new ResumingBody(first, whole.length, 'k', rest))).toEqual(whole)
  })

  it('reads on from a body that failed before it was handed over (while the tags were read)', async () => {
    const first = new PassThrough()
    first.on('error', () => undefined) // the SDK's listener, as it was then
    first.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))
    await new Promise((resolve) => setImmediate(resolve))
    expect(await read(new ResumingBody(first, whole.length, 'k', rest))).toEqual(whole)
  })

  it('reads on from a body that closed without its end or an error', async () => {
    const first = new PassThrough()
    first.write(whole.subarray(0, 10_000))
    setImmediate(() => first.destroy())
    expect(await read(new ResumingBody(first, whole.length, 'k', rest))).toEqual(whole)
  })

  it('ends with a retryable Unavailable when it cannot read on', async () => {
    const first = new PassThrough()
    setImmediate(() => first.destroy(new Error('aborted')))
    const failed = await read(new ResumingBody(first, whole.length, 'k'))
    expect(failed).toMatchObject({ name: 'StorageError', code: 'Unavailable', retryable: true })
  })
})
