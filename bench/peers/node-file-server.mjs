/**
 * The smallest file server Node can be, as a reference for what Node itself costs on this machine:
 * GET streams a file with `fs.createReadStream` (1 MiB chunks, as Coffer's fs driver reads), PUT
 * writes the body to a temp file and renames it into place (as nginx's WebDAV module does: no
 * checksum, no fsync). No auth, no index, no metadata. `GET /` answers 200 (for the readiness check).
 * Usage: node bench/peers/node-file-server.mjs ROOT PORT
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, stat } from 'node:fs/promises'
import { createServer } from 'node:http'
import { dirname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'

const [root, port] = process.argv.slice(2)
let temps = 0

async function handle(req, res) {
  const path = join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname))
  if (req.method === 'GET') {
    if (req.url === '/') return res.end()
    const { size } = await stat(path)
    res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' })
    await pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), res)
  } else if (req.method === 'PUT') {
    await mkdir(dirname(path), { recursive: true })
    const temp = `${path}.${process.pid}.${temps++}.tmp`
    await pipeline(req, createWriteStream(temp))
    await rename(temp, path)
    res.writeHead(201).end()
  } else {
    res.writeHead(405).end()
  }
}

createServer((req, res) => {
  handle(req, res).catch(() => {
    if (!res.headersSent) res.writeHead(404)
    res.end()
  })
}).listen(Number(port), '127.0.0.1')
