import { createHash, randomBytes } from 'node:crypto'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { ListMultipartUploadsCommand, UploadPartCommand } from '@aws-sdk/client-s3'
import {
  createStorage,
  isStorageError,
  normalizeKey,
  type StorageService,
  storageFromEnv,
} from '@coffer/core'
import { expectCode, text } from '@coffer/core/testing'
import {
  driverOn,
  type S3TestServer,
  type ServerName,
  startStorage,
  testClient,
} from '@coffer/driver-s3/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type S3Driver, s3Driver, s3DriverFromEnv, s3OptionsFromEnv } from '../src/index.ts'
import { createClient, type S3DriverOptions, signsPartsTo } from '../src/s3-options.ts'

const MiB = 1024 * 1024

/** A stream of unknown length: `total` bytes in 1 MiB chunks, produced as they are read. */
function unknownLength(total: number, onChunk?: (sent: number) => void): Readable {
  let sent = 0
  const block = Buffer.alloc(MiB, 0x5a)
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null)
      sent += MiB
      onChunk?.(sent)
      this.push(block)
    },
  })
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

/**
 * An HTTP proxy on 127.0.0.1 in front of an S3 server that keeps the payload hash of every UploadPart,
 * and the If-None-Match of every CopyObject.
 */
async function partRecordingProxy(target: string) {
  const upstream = new URL(target)
  /** By part number: a retried part is recorded once. */
  const partHashes = new Map<number, string>()
  const copyConditions: (string | undefined)[] = []
  const server = createServer((req, res) => {
    const part = /[?&]partNumber=(\d+)/.exec(req.url ?? '')?.[1]
    if (part !== undefined) partHashes.set(Number(part), String(req.headers['x-amz-content-sha256']))
    else if (req.headers['x-amz-copy-source'] !== undefined) copyConditions.push(req.headers['if-none-match'])
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: false,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    forwarded.on('error', () => res.destroy())
    req.pipe(forwarded)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    partHashes,
    copyConditions,
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(resolve))
    },
  }
}

async function openUploads(server: S3TestServer, driver: S3Driver): Promise<number> {
  const client = testClient(server)
  try {
    const out = await client.send(new ListMultipartUploadsCommand({ Bucket: driver.bucket }))
    return out.Uploads?.length ?? 0
  } finally {
    client.destroy()
  }
}

for (const name of ['ceph', 's3rver'] as ServerName[]) {
  describe(`S3 driver on ${name}: what only S3 has`, () => {
    let server: S3TestServer
    let driver: S3Driver
    let storage: StorageService
    let skipped: string | undefined

    beforeAll(async () => {
      const started = await startStorage(name, { partSize: 5 * MiB })
      if (typeof started === 'string') skipped = started
      else ({ server, driver, storage } = started)
    })
    afterAll(async () => {
      await storage?.close()
      await server?.stop()
    })

    it('presigns GET and PUT URLs that work with plain fetch, pinning the content type', async ({ skip }) => {
      if (skipped) return skip(skipped)
      const put = await storage.generatePresignedUrl('signed/up.txt', {
        method: 'PUT',
        expiresIn: 60,
        contentType: 'text/plain',
      })
      const uploaded = await fetch(put, {
        method: 'PUT',
        body: 'via presigned PUT',
        headers: { 'content-type': 'text/plain' },
      })
      expect(uploaded.status).toBe(200)
      const get = await storage.generatePresignedUrl('signed/up.txt', { method: 'GET', expiresIn: 60 })
      expect(await (await fetch(get)).text()).toBe('via presigned PUT')
      if (server.secretAccessKey !== server.accessKeyId) expect(get).not.toContain(server.secretAccessKey)
      if (!server.verifiesSignatures) return // s3rver accepts any signature
      const wrongType = await fetch(put, {
        method: 'PUT',
        body: '<html>',
        headers: { 'content-type': 'text/html' },
      })
      expect(wrongType.status).toBe(403)
      const tampered = await fetch(get.replace('up.txt', 'other.txt'))
      expect(tampered.status).toBe(403)
    })

    it('uploads a 50 MiB stream of unknown length in parts, with bounded memory', async ({ skip }) => {
      if (skipped) return skip(skipped)
      // Live memory, not garbage: collect before each sample (vitest runs with --expose-gc).
      const gc = globalThis.gc as (() => void) | undefined
      gc?.()
      const before = process.memoryUsage().arrayBuffers
      let peak = 0
      const info = await storage.upload(
        unknownLength(50 * MiB, (sent) => {
          if (sent % (4 * MiB) !== 0) return
          gc?.()
          peak = Math.max(peak, process.memoryUsage().arrayBuffers - before)
        }),
        { key: 'big/unknown.bin' },
      )
      expect(info.size).toBe(50 * MiB)
      if (name === 'ceph') expect(info.etag).toMatch(/^"[0-9a-f]{32}-\d+"$/) // s3rver gives a plain md5
      expect((await storage.stat('big/unknown.bin')).checksum.sha256).toBe(info.checksum.sha256)
      expect(gc).toBeDefined()
      // partSize 5 MiB × (4 parts in flight + 1 being filled + 1 read before the upload started),
      // plus stream buffers: a bound set by the options, not by the body's 50 MiB.
      expect(peak).toBeLessThan(40 * MiB)
    })

    it('sends If-None-Match: * on a create-only CopyObject only where conditionalWrites is on', async ({
      skip,
    }) => {
      if (skipped) return skip(skipped)
      const proxy = await partRecordingProxy(server.endpoint)
      try {
        for (const conditionalWrites of [false, true]) {
          const through = createStorage({
            driver: await driverOn({ ...server, endpoint: proxy.endpoint }, { conditionalWrites }),
          })
          try {
            const prefix = `conditional-copy/${conditionalWrites}/`
            await through.upload('copied', { key: `${prefix}source` })
            await through.copy(`${prefix}source`, `${prefix}target`, { ifNoneMatch: '*' })
            expect(await text((await through.getObject(`${prefix}target`)).body)).toBe('copied')
            // Refused even where the server ignores the header on copies (Ceph RGW 16, s3rver).
            await through.upload('taken', { key: `${prefix}taken` })
            await expectCode(
              through.copy(`${prefix}source`, `${prefix}taken`, { ifNoneMatch: '*' }),
              'PreconditionFailed',
            )
            expect(await text((await through.getObject(`${prefix}taken`)).body)).toBe('taken')
          } finally {
            await through.close()
          }
        }
        // Off (this server's default): the service looked first and sent a plain copy; on (AWS): the
        // server is asked to refuse a taken name itself, atomically.
        expect(proxy.copyConditions).toEqual([undefined, '*'])
      } finally {
        await proxy.close()
      }
    })

    it('sends buffered parts with their sha256, unsigned with an MD5 when asked, intact either way', async ({
      skip,
    }) => {
      if (skipped) return skip(skipped)
      const proxy = await partRecordingProxy(server.endpoint)
      const body = randomBytes(11 * MiB)
      const slices = [0, 5, 10].map((at) => body.subarray(at * MiB, Math.min(body.length, (at + 5) * MiB)))
      try {
        for (const signPayload of [false, undefined, true]) {
          proxy.partHashes.clear()
          const options = { partSize: 5 * MiB, ...(signPayload === undefined ? {} : { signPayload }) }
          const through = createStorage({
            driver: await driverOn({ ...server, endpoint: proxy.endpoint }, options),
          })
          try {
            // Of unknown length and over one part: a multipart upload of 5 + 5 + 1 MiB.
            const chunks = Array.from({ length: 11 }, (_, i) => body.subarray(i * MiB, (i + 1) * MiB))
            const info = await through.upload(Readable.from(chunks), { key: 'parts/both.bin' })
            expect(info.checksum.sha256).toBe(sha256(body))
            const back = await buffer((await through.getObject('parts/both.bin')).body)
            expect(back.equals(body)).toBe(true)
            const expected = signPayload === false ? slices.map(() => 'UNSIGNED-PAYLOAD') : slices.map(sha256)
            const recorded = [...proxy.partHashes].sort(([a], [b]) => a - b)
            expect(recorded).toEqual(expected.map((hash, i) => [i + 1, hash]))
          } finally {
            await through.close()
          }
        }
      } finally {
        await proxy.close()
      }
    })

    it('leaves no object and no open multipart upload when aborted mid-upload', async ({ skip }) => {
      if (skipped) return skip(skipped)
      const controller = new AbortController()
      const body = unknownLength(64 * MiB, (sent) => sent >= 20 * MiB && controller.abort())
      await expectCode(storage.upload(body, { key: 'big/aborted.bin', signal: controller.signal }), 'Aborted')
      expect(await storage.exists('big/aborted.bin')).toBe(false)
      // s3rver does not implement ListMultipartUploads: only the object can be checked there.
      const listsUploads = name === 'ceph'
      if (listsUploads) await expect.poll(() => openUploads(server, driver), { timeout: 10_000 }).toBe(0)
      const tooLarge = unknownLength(64 * MiB)
      await expectCode(storage.upload(tooLarge, { key: 'big/too-large.bin', maxSize: 12 * MiB }), 'TooLarge')
      expect(await storage.exists('big/too-large.bin')).toBe(false)
      if (listsUploads) await expect.poll(() => openUploads(server, driver), { timeout: 10_000 }).toBe(0)
    })

    it('refuses a wrong secret with AccessDenied, and no secret in the error', async ({ skip }) => {
      if (skipped) return skip(skipped)
      if (!server.verifiesSignatures) return // s3rver does not check signatures at all
      const secret = 'not-the-secret-0123456789abcdefghijklmnop'
      const wrong = s3Driver({
        bucket: 'anything',
        endpoint: server.endpoint,
        credentials: { accessKeyId: server.accessKeyId, secretAccessKey: secret },
        maxAttempts: 1,
      })
      const error = await wrong.head(normalizeKey('k')).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(isStorageError(error, 'AccessDenied')).toBe(true)
      const text = JSON.stringify(error, Object.getOwnPropertyNames(error)) + String((error as Error).cause)
      expect(text).not.toContain(secret)
      expect(text).not.toMatch(/Signature=|SignatureProvided|StringToSign/)
      await wrong.close?.()
    })

    it('reports a missing bucket as a configuration error', async ({ skip }) => {
      if (skipped) return skip(skipped)
      const lost = s3Driver({
        bucket: 'no-such-bucket-here',
        endpoint: server.endpoint,
        credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
      })
      const error = await createStorage({ driver: lost })
        .upload('x', { key: 'k' })
        .catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'Unavailable', retryable: false })
      expect((error as Error).message).toMatch(/bucket does not exist/)
      await lost.close?.()
    })

    it('is what storageFromEnv builds with COFFER_DRIVER=s3', async ({ skip }) => {
      if (skipped) return skip(skipped)
      const env = {
        COFFER_DRIVER: 's3',
        AWS_S3_BUCKET: driver.bucket,
        AWS_ACCESS_KEY_ID: server.accessKeyId,
        AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
        COFFER_S3_ENDPOINT: server.endpoint,
      }
      const fromEnv = await storageFromEnv(env, { drivers: { s3: s3DriverFromEnv } })
      expect(fromEnv.driver.name).toBe('s3')
      await fromEnv.upload('from env', { key: 'env/k.txt' })
      expect((await storage.stat('env/k.txt')).size).toBe(8)
      await fromEnv.close()
    })

    it('refuses a presigned POST over its size range', async ({ skip }) => {
      if (skipped) return skip(skipped)
      if (!server.verifiesSignatures) return // s3rver does not enforce POST policies
      const post = await driver.presignPost(normalizeKey('posted/avatar.png'), {
        maxSize: 1024,
        contentType: 'image/png',
        expiresIn: 60,
      })
      const send = (size: number) => {
        const form = new FormData()
        for (const [field, value] of Object.entries(post.fields)) form.append(field, value)
        form.append('file', new Blob([Buffer.alloc(size)], { type: 'image/png' }))
        return fetch(post.url, { method: 'POST', body: form })
      }
      expect((await send(2048)).status).toBe(400)
      expect(await storage.exists('posted/avatar.png')).toBe(false)
      expect((await send(512)).status).toBeLessThan(300)
      expect((await storage.stat('posted/avatar.png')).size).toBe(512)
    })
  })
}

describe('S3 driver configuration', () => {
  it('warns once and fails calls with MissingCredentials when no credentials exist', async () => {
    const saved = { ...process.env }
    // Keep the SDK's default chain away from every real source, the instance metadata service included.
    Object.assign(process.env, {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      AWS_CONFIG_FILE: '/nonexistent/config',
    })
    for (const name of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_PROFILE',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
    ]) {
      delete process.env[name]
    }
    try {
      const warnings: string[] = []
      const driver = s3DriverFromEnv({ AWS_S3_BUCKET: 'b', COFFER_S3_ENDPOINT: 'http://127.0.0.1:9' }, (m) =>
        warnings.push(m),
      )
      s3DriverFromEnv({ AWS_S3_BUCKET: 'b', COFFER_S3_ENDPOINT: 'http://127.0.0.1:9' }, (m) =>
        warnings.push(m),
      )
      expect(warnings).toHaveLength(1)
      await expectCode(driver.head(normalizeKey('k')), 'MissingCredentials')
    } finally {
      process.env = saved
    }
  })

  it('needs a bucket and says so', () => {
    expect(() => s3DriverFromEnv({})).toThrow(/AWS_S3_BUCKET/)
    expect(() => s3DriverFromEnv({ AWS_S3_BUCKET: 'b', COFFER_S3_ACL: 'maybe' })).toThrow(/COFFER_S3_ACL/)
  })

  it('reads its options purely, listing every problem at once', () => {
    const bad = s3OptionsFromEnv({
      COFFER_S3_ACL: 'maybe',
      COFFER_S3_DEADLINE_MS: '5s',
      COFFER_S3_MULTIPART: 'fast',
      AWS_SECRET_ACCESS_KEY: 'never-echoed',
    })
    expect(bad.problems).toEqual([
      'AWS_S3_BUCKET is required for the S3 driver',
      'COFFER_S3_ACL must be true/false, 1/0 or yes/no',
      'COFFER_S3_MULTIPART must be native or staged',
      'COFFER_S3_DEADLINE_MS must be a whole number of milliseconds from 100 to 3600000',
    ])
    expect(JSON.stringify(bad)).not.toContain('never-echoed')
    expect(bad.warnings).toHaveLength(1)
    const good = s3OptionsFromEnv({
      AWS_S3_BUCKET: 'b',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'a',
      AWS_SECRET_ACCESS_KEY: 's',
      COFFER_S3_ENDPOINT: 'http://127.0.0.1:9',
      COFFER_S3_FORCE_PATH_STYLE: 'No',
      COFFER_S3_SIGN_PAYLOAD: '1',
      COFFER_S3_IDLE_TIMEOUT_MS: '2000',
      COFFER_S3_MULTIPART: 'staged',
    })
    expect(good).toEqual({
      options: {
        bucket: 'b',
        region: 'eu-west-1',
        endpoint: 'http://127.0.0.1:9',
        forcePathStyle: false,
        signPayload: true,
        multipart: 'staged',
        idleTimeout: 2000,
        credentials: { accessKeyId: 'a', secretAccessKey: 's' },
      },
      problems: [],
      warnings: [],
    })
  })

  it('reads its timeouts in milliseconds and refuses values that are not', async () => {
    const env = { AWS_S3_BUCKET: 'b', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 's' }
    for (const name of [
      'COFFER_S3_CONNECT_TIMEOUT_MS',
      'COFFER_S3_IDLE_TIMEOUT_MS',
      'COFFER_S3_DEADLINE_MS',
    ]) {
      for (const bad of ['5s', '0', '1.5', '3600001'])
        expect(() => s3DriverFromEnv({ ...env, [name]: bad })).toThrow(new RegExp(name))
    }
    const driver = s3DriverFromEnv({
      ...env,
      COFFER_S3_IDLE_TIMEOUT_MS: '2000',
      COFFER_S3_DEADLINE_MS: '9000',
    })
    await driver.close?.()
  })
})

describe('payload signing of multipart parts', () => {
  it('is on only for a part sent over plain HTTP to another host, unless set', () => {
    for (const host of ['127.0.0.1', 'localhost', '[::1]', 'LOCALHOST', '127.3.2.1']) {
      expect(signsPartsTo('http:', host)).toBe(false)
    }
    expect(signsPartsTo('https:', 's3.eu-west-1.amazonaws.com')).toBe(false)
    expect(signsPartsTo('https:', 'minio.example.com')).toBe(false)
    expect(signsPartsTo('http:', 'minio.internal')).toBe(true)
    expect(signsPartsTo('http:', '10.0.0.5')).toBe(true)
    expect(signsPartsTo('http:', 'localhost.example.com')).toBe(true)
    expect(signsPartsTo('http:', '127.0.0.1', true)).toBe(true)
    expect(signsPartsTo('http:', 'minio.internal', false)).toBe(false)
  })

  /** The headers of an UploadPart as the client sends it, answered by a stub instead of a server. */
  async function partHeaders(options: Partial<S3DriverOptions>, body: Buffer | Readable) {
    const client = createClient({
      bucket: 'b',
      credentials: {
        accessKeyId: 'AKIDEXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      },
      maxAttempts: 1,
      ...options,
    })
    let sent: Record<string, string> = {}
    client.config.requestHandler = {
      async handle(request: { headers: Record<string, string>; body?: unknown }) {
        sent = request.headers
        if (request.body instanceof Readable) await buffer(request.body)
        return { response: { statusCode: 200, headers: { etag: '"0"' }, body: Readable.from([]) } }
      },
    } as unknown as typeof client.config.requestHandler
    try {
      const input = { Bucket: 'b', Key: 'k', UploadId: 'u', PartNumber: 1, Body: body, ContentLength: 4 }
      await client.send(new UploadPartCommand(input))
      return sent
    } finally {
      client.destroy()
    }
  }

  it('sends buffered parts with their sha256 (or unsigned with an MD5); streamed parts as the SDK chooses', async () => {
    const bytes = Buffer.from('part')
    // AWS (HTTPS): the part's sha256 (hashed in the thread pool), with the CRC32 the SDK adds for AWS.
    const aws = await partHeaders({}, bytes)
    expect(aws['x-amz-content-sha256']).toBe(sha256(bytes))
    expect(aws['x-amz-checksum-crc32']).toBeDefined()
    // Unsigned when asked, with an MD5 the server checks instead.
    const unsigned = await partHeaders({ signPayload: false }, bytes)
    expect(unsigned['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD')
    expect(unsigned['content-md5']).toBe(createHash('md5').update(bytes).digest('base64'))
    // Plain HTTP to another host: the part's sha256, signed.
    const remote = await partHeaders({ endpoint: 'http://minio.internal:9000' }, bytes)
    expect(remote['x-amz-content-sha256']).toBe(sha256(bytes))
    // A streamed part on AWS goes aws-chunked with a trailing checksum: left as the SDK made it.
    const streamed = await partHeaders({}, Readable.from([bytes]))
    expect(streamed['x-amz-content-sha256']).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER')
  })
})
