import { createHash, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { openS3Body } from '../../src/s3/open-s3-body.ts'
import { isS3Error, S3Error } from '../../src/s3/s3-error.ts'
import { errorXml } from '../../src/s3/s3-xml.ts'
import { createSigV4Verifier } from '../../src/s3/sigv4-verifier.ts'

/** A stored object of the protocol server. */
export interface StoredObject {
  body: Buffer
  digests: ReadonlyMap<string, string>
  mode: string
}

/** A running protocol server: S3's PUT and GET of objects, kept in memory, on a loopback port. */
export interface ProtocolServer {
  readonly endpoint: string
  readonly objects: Map<string, StoredObject>
  close(): Promise<void>
}

function fail(response: ServerResponse, requestId: string, error: unknown, resource: string): void {
  const s3 = isS3Error(error)
    ? error
    : new S3Error('InternalError', 'We encountered an internal error. Please try again.')
  if (response.headersSent) {
    response.destroy()
    return
  }
  const body = errorXml(s3, { resource, requestId })
  response.writeHead(s3.status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': requestId,
    connection: 'close',
  })
  response.end(body)
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  state: { objects: Map<string, StoredObject>; verify: ReturnType<typeof createSigV4Verifier> },
): Promise<void> {
  const verified = await state.verify({
    method: request.method ?? 'GET',
    url: request.url ?? '/',
    headers: request.headers,
  })
  if (verified === undefined) throw new S3Error('AccessDenied', 'Access Denied')
  const path = verified.target.rawPath
  if (request.method === 'PUT') {
    const body = openS3Body(request, request.headers, verified, { compute: ['md5'] })
    const chunks: Buffer[] = []
    for await (const chunk of body.stream) chunks.push(chunk as Buffer)
    const data = Buffer.concat(chunks)
    state.objects.set(path, {
      body: data,
      digests: body.digests,
      mode: String(request.headers['x-amz-content-sha256'] ?? 'presigned'),
    })
    const etag = createHash('md5').update(data).digest('hex')
    response.writeHead(200, { etag: `"${etag}"`, 'x-amz-request-id': randomUUID(), 'content-length': 0 })
    response.end()
    return
  }
  const stored = state.objects.get(path)
  if (stored === undefined) throw new S3Error('NoSuchKey', 'The specified key does not exist.')
  response.writeHead(200, {
    'content-length': stored.body.length,
    'content-type': 'application/octet-stream',
    'x-amz-request-id': randomUUID(),
  })
  response.end(stored.body)
}

/** Starts a protocol server that accepts `accessKeyId`/`secretAccessKey`, on a free loopback port. */
export async function startProtocolServer(
  accessKeyId: string,
  secretAccessKey: string,
): Promise<ProtocolServer> {
  const objects = new Map<string, StoredObject>()
  const verify = createSigV4Verifier({
    lookupSecret: async (id) => (id === accessKeyId ? secretAccessKey : undefined),
  })
  const server: Server = createServer((request, response) => {
    const requestId = randomUUID()
    handle(request, response, { objects, verify }).catch((error: unknown) => {
      request.resume()
      fail(response, requestId, error, (request.url ?? '/').split('?')[0] ?? '/')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
