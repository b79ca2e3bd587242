/**
 * The ceiling for small GETs: Node's own `http` answering every GET with the same 4 KiB buffer from
 * memory. No file access, no routing, no auth: what a request costs Node's HTTP layer alone on this
 * machine, the most any Node server can reach in P3. `GET /` answers 200 too (the readiness check).
 * Usage: node bench/peers/node-memory-server.mjs PORT
 */
import { createServer } from 'node:http'

const body = Buffer.alloc(4096, 'x')
const headers = { 'content-length': String(body.length), 'content-type': 'application/octet-stream' }

createServer((req, res) => {
  if (req.method !== 'GET') return res.writeHead(405).end()
  res.writeHead(200, headers).end(body)
}).listen(Number(process.argv[2]), '127.0.0.1')
