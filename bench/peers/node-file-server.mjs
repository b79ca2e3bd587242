/**
 * The smallest file server Node can be, as a reference for what Node itself costs on this machine:
 * GET streams a file with `fs.createReadStream` (1 MiB chunks, as Coffer's fs driver reads), PUT
 * writes the body to a temp file and renames it into place (as nginx's WebDAV module does: no
 * checksum, no fsync). With `--fsync`, as durable as Coffer's fs driver: the file's data is synced
 * (fdatasync) before the rename and its directory after, so a PUT is on disk when answered. No auth,
 * no index, no metadata. `GET /` answers 200 (for the readiness check).
 * Usage: node bench/peers/node-file-server.mjs ROOT [--fsync] PORT
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, open, rename, stat } from 'node:fs/promises'
import { createServer } from 'node:http'
import { dirname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'

const args = process.argv.slice(2)
const root = args[0]
const port = args.at(-1)
const durable = args.includes('--fsync')
let temps = 0

/** Writes a body to `temp`, synced to disk when durable. */
async function receive(req, temp) {
  if (!durable) return pipeline(req, createWriteStream(temp))
  const handle = await open(temp, 'wx')
  try {
    for await (const chunk of req) await handle.write(chunk)
    await handle.datasync()
  } finally {
    await handle.close()
  }
}

async function syncDir(dir) {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function handle(req, res) {
  const path = join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname))
  if (req.method === 'GET') {
    if (req.url === '/') return res.end()
    const { size } = await stat(path)
    res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' })
    // 1 MiB chunks for large files; a small one is read in one chunk of its own size.
    await pipeline(createReadStream(path, { highWaterMark: Math.min(1024 * 1024, Math.max(size, 1)) }), res)
  } else if (req.method === 'PUT') {
    await mkdir(dirname(path), { recursive: true })
    const temp = `${path}.${process.pid}.${temps++}.tmp`
    await receive(req, temp)
    await rename(temp, path)
    if (durable) await syncDir(dirname(path))
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
