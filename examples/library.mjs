// Every method of @coffer/core, end to end. Run it with the project's Node: `npx node examples/library.mjs`
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createStorage, fsDriver, isStorageError, StorageError } from '@coffer/core'

const dir = await mkdtemp(join(tmpdir(), 'coffer-example-'))
const storage = createStorage({
  driver: fsDriver({ root: join(dir, 'files') }), // or memoryDriver(), or s3Driver({...}) from @coffer/driver-s3
  signingSecret: 'a-long-random-secret-of-32-bytes!', // for signed URLs on fs and memory
  baseUrl: 'http://localhost:7374/signed', // a Coffer server's content origin serves them
})

// upload_file: a local file, streamed; the key defaults to a unique name made from the file's name
await writeFile(join(dir, 'Q3 report.pdf'), '%PDF-1.7 …')
const report = await storage.uploadFile(join(dir, 'Q3 report.pdf'), { metadata: { project: '42' } })
console.log(report.key, report.contentType, report.checksum.sha256) // 01k…-q3-report.pdf application/pdf …

// upload_fileobj: a Node Readable, a web ReadableStream, bytes or a string, with limits enforced while streaming
const csv = await storage.upload('id,total\n1,9.50\n', {
  key: 'exports/orders.csv',
  contentType: 'text/csv',
  visibility: 'private',
  contentDisposition: 'attachment; filename="orders.csv"',
  maxSize: 10 * 1024 * 1024,
  allowedTypes: ['text/*', 'application/pdf'],
})
console.log(csv.size, csv.etag) // 16 "…md5…"

// create-only writes
try {
  await storage.upload('again', { key: 'exports/orders.csv', ifNoneMatch: '*' })
} catch (error) {
  if (isStorageError(error, 'PreconditionFailed')) console.log('already there')
}

// get_object: a stream, with an RFC 9110 range or a conditional request
const { body, info, range } = await storage.getObject('exports/orders.csv', { range: 'bytes=0-1' })
console.log(Buffer.concat(await body.toArray()).toString(), range, info.contentType) // "id" { start: 0, end: 1, size: 16 }
const cached = await storage.getObject('exports/orders.csv', { ifNoneMatch: csv.etag })
console.log(cached.notModified) // true

// download_file: atomic, no half file left on failure
await storage.downloadFile('exports/orders.csv', join(dir, 'orders.csv'))
console.log(await readFile(join(dir, 'orders.csv'), 'utf8'))

// metadata retrieval
console.log(await storage.stat('exports/orders.csv'), await storage.exists('exports/nope.csv'))

// list_objects: S3 order, folders through a delimiter, opaque cursor
await storage.upload('{}', { key: 'documents/projects/42/spec.json' })
const page = await storage.listObjects({ prefix: '', delimiter: '/', limit: 100 })
console.log(
  page.prefixes,
  page.objects.map((o) => o.key),
  page.cursor,
) // ['documents/', 'exports/'] [report.key] undefined

// copy and move
await storage.copy('exports/orders.csv', 'exports/orders-copy.csv', { metadata: { copied: 'yes' } })
await storage.move('exports/orders-copy.csv', 'archive/orders.csv')

// generate_presigned_url: one key, one method, 1 s to 7 days
const url = await storage.generatePresignedUrl('exports/orders.csv', { method: 'GET', expiresIn: 3600 })
console.log(url, storage.verifyPresignedUrl(url, 'GET').key)

// generate_unique_object_name
console.log(storage.generateUniqueObjectName('Photo de profil.JPG', { prefix: 'avatars/u_7' })) // avatars/u_7/01k…-photo-de-profil.jpg

// delete_object, and many at once or a whole prefix
await storage.deleteObject('archive/orders.csv')
console.log(await storage.deleteObjects(['exports/orders.csv', report.key]))
console.log(await storage.deleteObjects({ prefix: 'documents/' }))

// typed errors
try {
  await storage.getObject('../etc/passwd')
} catch (error) {
  if (error instanceof StorageError) console.log(error.code, error.message) // InvalidKey …
}

await rm(dir, { recursive: true, force: true })
