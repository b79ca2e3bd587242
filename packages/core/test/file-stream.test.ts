import { createHash, randomBytes } from 'node:crypto'
import { fstatSync, openSync, truncateSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FileStream } from '../src/drivers/fs/file-stream.ts'

const CHUNK = 64 * 1024
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

/**
 * What an HTTP client receives; `slow`: it first waits until the kernel's socket buffers are full and
 * then pauses after each MiB, so that the server's writes wait.
 */
function download(server: Server, slow: boolean): Promise<Buffer> {
  const { port } = server.address() as AddressInfo
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port }, (res) => {
      const chunks: Buffer[] = []
      let sinceBreak = 0
      if (slow) {
        res.pause()
        setTimeout(() => res.resume(), 100)
      }
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk)
        sinceBreak += chunk.length
        if (slow && sinceBreak >= 1024 * 1024) {
          sinceBreak = 0
          res.pause()
          setTimeout(() => res.resume(), 5)
        }
      })
      res.on('end', () => resolve(Buffer.concat(chunks)))
      res.on('error', reject)
    })
      .on('error', reject)
      .end()
  })
}

describe('FileStream', () => {
  let dir: string
  let file: string
  const content = randomBytes(16 * 1024 * 1024 + 1234)

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coffer-file-stream-'))
    file = join(dir, 'object')
    await writeFile(file, content)
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  const streamOf = (start = 0, end = content.length - 1, recycle = false) =>
    new FileStream(openSync(file, 'r'), start, end, CHUNK, { recycle })

  it('asked to recycle, sends every byte of its range into an HTTP response through a few buffers', async () => {
    const streams: FileStream[] = []
    let chunkSize = CHUNK
    const server = createServer((_req, res) => {
      const stream = new FileStream(openSync(file, 'r'), 100, content.length - 7, chunkSize, {
        recycle: true,
      })
      streams.push(stream)
      stream.pipe(res)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      // 4 KiB chunks: the response takes several before it pushes back, so a buffer reused before
      // its write is done would show here as corrupt bytes.
      for (const size of [CHUNK, 4096]) {
        chunkSize = size
        for (const slow of [true, false]) {
          const received = await download(server, slow)
          expect(received.length).toBe(content.length - 106)
          expect(sha256(received)).toBe(sha256(content.subarray(100, content.length - 6)))
        }
      }
      // 256 chunks of 64 KiB each; recycled, each download allocates a handful of buffers instead.
      for (const stream of streams.slice(0, 2)) expect(stream.allocated).toBeLessThanOrEqual(6)
      for (const stream of streams.slice(2)) expect(stream.allocated).toBeLessThan(1000)
    } finally {
      server.close()
    }
  })

  it('reuses no buffer unless asked to, even piped into an HTTP response', async () => {
    let stream: FileStream | undefined
    const server = createServer((_req, res) => {
      stream = streamOf()
      stream.pipe(res)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const received = await download(server, true)
      expect(sha256(received)).toBe(sha256(content))
      expect(stream?.allocated).toBe(Math.ceil(content.length / CHUNK))
    } finally {
      server.close()
    }
  })

  it('stops reusing buffers once another reader takes the chunks it sends', async () => {
    let beside: Buffer[] = []
    const server = createServer((_req, res) => {
      const stream = new FileStream(openSync(file, 'r'), 0, content.length - 1, 4096, { recycle: true })
      stream.pipe(res)
      // A byte counter, say, that keeps what it sees: it must see the file's bytes too.
      beside = []
      stream.on('data', (chunk: Buffer) => beside.push(chunk))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const received = await download(server, true)
      expect(sha256(received)).toBe(sha256(content))
      expect(sha256(Buffer.concat(beside))).toBe(sha256(content))
    } finally {
      server.close()
    }
  })

  it('allocates no more than a range needs', async () => {
    const chunks = await streamOf(10, 109).toArray()
    expect(chunks).toHaveLength(1)
    expect((chunks[0] as Buffer).buffer.byteLength).toBe(100)
  })

  it('never reuses a chunk it gave to a reader that may keep it', async () => {
    // Chunks kept by a `for await` reader and by a writable that stores them: all distinct buffers.
    const kept: Buffer[] = []
    const stream = streamOf()
    for await (const chunk of stream) kept.push(chunk as Buffer)
    expect(sha256(Buffer.concat(kept))).toBe(sha256(content))
    expect(stream.allocated).toBe(kept.length)

    const stored: Buffer[] = []
    const store = new Writable({
      write(chunk: Buffer, _encoding, done) {
        stored.push(chunk)
        done()
      },
    })
    await pipeline(streamOf(), new PassThrough(), store)
    expect(sha256(Buffer.concat(stored))).toBe(sha256(content))
  })

  it('closes its descriptor when it ends and when it is destroyed mid-read', async () => {
    for (const destroyEarly of [false, true]) {
      const descriptor = openSync(file, 'r')
      const stream = new FileStream(descriptor, 0, content.length - 1, CHUNK)
      const closed = new Promise((resolve) => stream.once('close', resolve))
      if (destroyEarly) {
        stream.once('data', () => stream.destroy())
      } else {
        stream.resume()
      }
      await closed
      expect(() => fstatSync(descriptor)).toThrow(/EBADF/)
    }
  })

  it('fails, rather than ends early, when the file is shorter than the range', async () => {
    const short = join(dir, 'short')
    await writeFile(short, content.subarray(0, 3 * CHUNK))
    const stream = new FileStream(openSync(short, 'r'), 0, 3 * CHUNK - 1, CHUNK)
    truncateSync(short, CHUNK + 10)
    await expect(pipeline(stream, new PassThrough().resume())).rejects.toThrow(/ended before its size/)
  })

  it('stops writing when the client goes away, and its owner can destroy it', async () => {
    let stream: FileStream | undefined
    const closed = new Promise<void>((resolve) => {
      const server = createServer((_req, res) => {
        stream = streamOf(0, content.length - 1, true)
        stream.pipe(res)
        // What Fastify and `pipeline` do: a response that closes early destroys its source.
        res.once('close', () => stream?.destroy())
        stream.once('close', () => {
          server.close()
          resolve()
        })
      })
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo
        const req = request({ host: '127.0.0.1', port }, (res) => res.once('data', () => req.destroy()))
        req.on('error', () => undefined).end()
      })
    })
    await closed
    expect(stream?.destroyed).toBe(true)
    expect(stream?.listenerCount('data')).toBe(0)
    expect(stream?.isPaused()).toBe(true)
  })

  it('leaves the response open when piped with end: false', async () => {
    let finishedBody = ''
    const server = createServer((_req, res) => {
      const stream = streamOf(0, 9, true)
      stream.pipe(res, { end: false })
      stream.on('end', () => {
        expect(res.writableEnded).toBe(false)
        res.end('!')
        finishedBody = 'ended by the handler'
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const received = await download(server, false)
      expect(received).toEqual(Buffer.concat([content.subarray(0, 10), Buffer.from('!')]))
      expect(finishedBody).toBe('ended by the handler')
    } finally {
      server.close()
    }
  })
})
