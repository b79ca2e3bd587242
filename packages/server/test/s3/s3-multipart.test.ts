import { createHash, randomBytes } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { MultipartUploadStore } from '../../src/domain/uploads/multipart-upload-store.ts'
import { sweepMultipart } from '../../src/jobs/upload-sweep-job.ts'
import { type Harness, json, testStorages, VARIANTS } from '../harness.ts'
import { outcome, restSha as restShaOf, sdkClient, setQuota, sha256 } from './s3-clients.ts'

const MiB = 1024 * 1024
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest()

/** S3's multipart etag of parts of these bytes. */
function multipartEtag(parts: Uint8Array[]): string {
  return `"${createHash('md5')
    .update(Buffer.concat(parts.map(md5)))
    .digest('hex')}-${parts.length}"`
}

const storages = testStorages()

describe.each(VARIANTS)(
  'S3 multipart with the AWS SDK ($driver driver, $persistence index)',
  ({ driver, persistence }) => {
    let h: Harness
    let admin: S3Client
    let adminId: string

    /** An API key with S3 credentials, made through the REST API. */
    async function s3Key(scopes: unknown[]): Promise<{ id: string; client: S3Client }> {
      const response = await h.fetch(
        '/v1/keys',
        json({ name: 'multipart', scopes, s3: true }, { token: h.admin }),
      )
      expect(response.status).toBe(201)
      const { key, s3 } = (await response.json()) as {
        key: { id: string }
        s3: { accessKeyId: string; secretAccessKey: string }
      }
      const client = sdkClient(h, s3)
      return { id: key.id, client }
    }

    const restSha = (bucket: string, key: string) => restShaOf(h, bucket, key)

    const part = (
      Bucket: string,
      Key: string,
      UploadId: string | undefined,
      PartNumber: number,
      Body: Buffer,
    ) => admin.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body }))

    beforeAll(async () => {
      if (!(await storages.ready(driver))) return
      h = await storages.start(driver, persistence)
      ;({ id: adminId, client: admin } = await s3Key([{ bucket: '*', permissions: ['admin'] }]))
    })
    afterAll(() => h?.close())
    beforeEach(({ skip }) => storages.skipUnavailable(driver, skip))

    it('lib-storage Upload streams 12 MiB in parts: bytes, etag, index and audit as for a PUT', async () => {
      const data = randomBytes(12 * MiB + 1)
      const upload = new Upload({
        client: admin,
        params: {
          Bucket: 'documents',
          Key: 'mp/big.bin',
          Body: Readable.from([data]),
          ContentType: 'application/x-big',
        },
        partSize: 5 * MiB,
        queueSize: 2,
      })
      await upload.done()
      expect(await restSha('documents', 'mp/big.bin')).toBe(sha256(data))
      const head = await admin.send(new HeadObjectCommand({ Bucket: 'documents', Key: 'mp/big.bin' }))
      const parts = [data.subarray(0, 5 * MiB), data.subarray(5 * MiB, 10 * MiB), data.subarray(10 * MiB)]
      expect(head).toMatchObject({ ETag: multipartEtag(parts), ContentLength: data.length })
      expect(head.ContentType).toBe('application/x-big')
      const listed = await h.fetch('/v1/buckets/documents/objects?prefix=mp/', { token: h.admin })
      const { objects } = (await listed.json()) as { objects: { key: string; size: number }[] }
      expect(objects).toContainEqual(expect.objectContaining({ key: 'mp/big.bin', size: data.length }))
      const audit = await h.fetch('/v1/audit?bucket=documents&key=mp/big.bin', { token: h.admin })
      const { events } = (await audit.json()) as { events: { actor: string; action: string }[] }
      expect(events[0]).toMatchObject({ actor: `key:${adminId}`, action: 'object.put' })
      expect(
        (await admin.send(new ListMultipartUploadsCommand({ Bucket: 'documents', Prefix: 'mp/' }))).Uploads ??
          [],
      ).toEqual([])
    })

    it('parts in any order, a copied range, ListParts, ListMultipartUploads and checked completions', async () => {
      const source = randomBytes(6 * MiB)
      await admin
        .send(
          new CreateMultipartUploadCommand({
            Bucket: 'documents',
            Key: 'mp/source',
            ContentType: 'text/plain',
          }),
        )
        .then(async ({ UploadId }) => {
          const one = await part('documents', 'mp/source', UploadId, 1, source)
          await admin.send(
            new CompleteMultipartUploadCommand({
              Bucket: 'documents',
              Key: 'mp/source',
              UploadId,
              MultipartUpload: { Parts: [{ PartNumber: 1, ETag: one.ETag }] },
            }),
          )
        })
      const Key = 'mp/assembled ü.txt'
      const { UploadId } = await admin.send(
        new CreateMultipartUploadCommand({
          Bucket: 'documents',
          Key,
          ContentType: 'text/plain',
          Metadata: { by: 'sdk' },
        }),
      )
      const first = randomBytes(5 * MiB)
      const last = Buffer.from('the end\n')
      const three = await part('documents', Key, UploadId, 3, last)
      const one = await part('documents', Key, UploadId, 1, first)
      const copied = await admin.send(
        new UploadPartCopyCommand({
          Bucket: 'documents',
          Key,
          UploadId,
          PartNumber: 2,
          CopySource: 'documents/mp/source',
          CopySourceRange: `bytes=100-${100 + 5 * MiB - 1}`,
        }),
      )
      const middle = source.subarray(100, 100 + 5 * MiB)
      expect(copied.CopyPartResult?.ETag).toBe(`"${md5(middle).toString('hex')}"`)
      const copyPart = (input: Partial<ConstructorParameters<typeof UploadPartCopyCommand>[0]>) =>
        outcome(
          admin.send(
            new UploadPartCopyCommand({
              Bucket: 'documents',
              Key,
              UploadId,
              PartNumber: 4,
              CopySource: 'documents/mp/source',
              ...input,
            }),
          ),
        )
      const sourceHead = await admin.send(new HeadObjectCommand({ Bucket: 'documents', Key: 'mp/source' }))
      const modified = sourceHead.LastModified ?? new Date()
      expect(await copyPart({ CopySourceRange: `bytes=0-${source.length}` })).toBe('InvalidRange')
      expect(await copyPart({ CopySourceRange: 'bytes=10-' })).toBe('InvalidArgument')
      expect(await copyPart({ CopySourceIfMatch: '"other"' })).toBe('PreconditionFailed')
      expect(await copyPart({ CopySourceIfNoneMatch: sourceHead.ETag })).toBe('PreconditionFailed')
      expect(await copyPart({ CopySourceIfModifiedSince: new Date(modified.getTime() + 60_000) })).toBe(
        'PreconditionFailed',
      )
      expect(await copyPart({ CopySourceIfUnmodifiedSince: new Date(modified.getTime() - 60_000) })).toBe(
        'PreconditionFailed',
      )
      expect(await copyPart({ CopySource: 'documents/mp/missing' })).toBe('NoSuchKey')
      const listed = await admin.send(
        new ListPartsCommand({ Bucket: 'documents', Key, UploadId, MaxParts: 2 }),
      )
      expect(listed.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([
        [1, first.length],
        [2, middle.length],
      ])
      expect(listed).toMatchObject({ IsTruncated: true, NextPartNumberMarker: '2' })
      const uploads = await admin.send(
        new ListMultipartUploadsCommand({ Bucket: 'documents', Prefix: 'mp/' }),
      )
      expect(uploads.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([[Key, UploadId]])
      const complete = (Parts: { PartNumber: number; ETag: string | undefined }[]) =>
        outcome(
          admin.send(
            new CompleteMultipartUploadCommand({
              Bucket: 'documents',
              Key,
              UploadId,
              MultipartUpload: { Parts },
            }),
          ),
        )
      const p1 = { PartNumber: 1, ETag: one.ETag }
      const p2 = { PartNumber: 2, ETag: copied.CopyPartResult?.ETag }
      const p3 = { PartNumber: 3, ETag: three.ETag }
      expect(await complete([p2, p1, p3])).toBe('InvalidPartOrder')
      expect(await complete([p1, { ...p2, ETag: one.ETag }, p3])).toBe('InvalidPart')
      expect(await restSha('documents', Key)).toBe(404)
      expect(await complete([p1, p2, p3])).toBe('ok')
      expect(await restSha('documents', Key)).toBe(sha256(Buffer.concat([first, middle, last])))
      const head = await admin.send(new HeadObjectCommand({ Bucket: 'documents', Key }))
      expect(head).toMatchObject({ ETag: multipartEtag([first, middle, last]), Metadata: { by: 'sdk' } })
      expect(await outcome(admin.send(new ListPartsCommand({ Bucket: 'documents', Key, UploadId })))).toBe(
        'NoSuchUpload',
      )
      // Every part but the last has at least 5 MiB.
      const small = await admin.send(
        new CreateMultipartUploadCommand({ Bucket: 'documents', Key: 'mp/small' }),
      )
      const a = await part('documents', 'mp/small', small.UploadId, 1, Buffer.from('a'))
      const b = await part('documents', 'mp/small', small.UploadId, 2, Buffer.from('b'))
      const tooSmall = admin.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'documents',
          Key: 'mp/small',
          UploadId: small.UploadId,
          MultipartUpload: { Parts: [a, b].map((p, i) => ({ PartNumber: i + 1, ETag: p.ETag })) },
        }),
      )
      expect(await outcome(tooSmall)).toBe('EntityTooSmall')
    })

    it('lists uploads in pages, folded by a delimiter', async () => {
      const keys = ['lm/a/1', 'lm/a/2', 'lm/b', 'lm/b', 'lm/c/1']
      const ids: string[] = []
      for (const Key of keys)
        ids.push(
          (await admin.send(new CreateMultipartUploadCommand({ Bucket: 'documents', Key }))).UploadId ?? '',
        )
      const list = (input: { Delimiter?: string; KeyMarker?: string; UploadIdMarker?: string }) =>
        admin.send(new ListMultipartUploadsCommand({ Bucket: 'documents', Prefix: 'lm/', ...input }))
      const folded = await list({ Delimiter: '/' })
      expect(folded.Uploads?.map((u) => u.Key)).toEqual(['lm/b', 'lm/b'])
      expect(folded.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['lm/a/', 'lm/c/'])
      for (const Delimiter of [undefined, '/']) {
        const seen: string[] = []
        let markers: { KeyMarker?: string | undefined; UploadIdMarker?: string | undefined } = {}
        for (let pages = 0; pages < 10; pages++) {
          const page = await admin.send(
            new ListMultipartUploadsCommand({
              Bucket: 'documents',
              Prefix: 'lm/',
              MaxUploads: 1,
              ...(Delimiter ? { Delimiter } : {}),
              ...markers,
            }),
          )
          seen.push(...(page.Uploads ?? []).map((u) => `${u.Key} ${u.UploadId}`))
          seen.push(...(page.CommonPrefixes ?? []).map((p) => `${p.Prefix}`))
          if (!page.IsTruncated) break
          markers = { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker }
        }
        const uploads = keys.map((key, i) => `${key} ${ids[i]}`)
        const sortedB = uploads.filter((u) => u.startsWith('lm/b ')).sort()
        expect(seen).toEqual(
          Delimiter
            ? ['lm/a/', ...sortedB, 'lm/c/']
            : [...uploads.slice(0, 2).sort(), ...sortedB, uploads[4]],
        )
      }
      for (const [i, Key] of keys.entries())
        await admin.send(new AbortMultipartUploadCommand({ Bucket: 'documents', Key, UploadId: ids[i] }))
    })

    it('aborts; a scoped key starts, sends and completes only under its prefix', async () => {
      const { UploadId } = await admin.send(
        new CreateMultipartUploadCommand({ Bucket: 'documents', Key: 'theirs/x' }),
      )
      await part('documents', 'theirs/x', UploadId, 1, Buffer.from('x'))
      const scoped = await s3Key([
        { bucket: 'documents', prefix: 'mine/', permissions: ['read', 'write', 'list'] },
      ])
      const s = scoped.client
      expect(
        await outcome(s.send(new CreateMultipartUploadCommand({ Bucket: 'documents', Key: 'theirs/y' }))),
      ).toBe('AccessDenied')
      const sent = (Key: string, Id: string | undefined) =>
        outcome(
          s.send(new UploadPartCommand({ Bucket: 'documents', Key, UploadId: Id, PartNumber: 1, Body: 'y' })),
        )
      expect(await sent('theirs/x', UploadId)).toBe('AccessDenied')
      // Its own upload's id does not open someone else's key either.
      const mine = await s.send(new CreateMultipartUploadCommand({ Bucket: 'documents', Key: 'mine/z' }))
      expect(await sent('theirs/x', mine.UploadId)).toBe('AccessDenied')
      expect(await sent('mine/other', mine.UploadId)).toBe('NoSuchUpload')
      const own = await s.send(
        new UploadPartCommand({
          Bucket: 'documents',
          Key: 'mine/z',
          UploadId: mine.UploadId,
          PartNumber: 1,
          Body: 'z',
        }),
      )
      const done = (Key: string) =>
        s.send(
          new CompleteMultipartUploadCommand({
            Bucket: 'documents',
            Key,
            UploadId: mine.UploadId,
            MultipartUpload: { Parts: [{ PartNumber: 1, ETag: own.ETag }] },
          }),
        )
      expect(await outcome(done('theirs/z'))).toBe('AccessDenied')
      expect(await outcome(done('mine/z'))).toBe('ok')
      expect(await restSha('documents', 'mine/z')).toBe(sha256(Buffer.from('z')))
      expect(
        await outcome(s.send(new ListMultipartUploadsCommand({ Bucket: 'documents', Prefix: 'theirs/' }))),
      ).toBe('AccessDenied')
      await admin.send(new AbortMultipartUploadCommand({ Bucket: 'documents', Key: 'theirs/x', UploadId }))
      expect(await outcome(part('documents', 'theirs/x', UploadId, 2, Buffer.from('late')))).toBe(
        'NoSuchUpload',
      )
      expect(await restSha('documents', 'theirs/x')).toBe(404)
      const audit = await h.fetch('/v1/audit?bucket=documents&key=mine/z', { token: h.admin })
      const { events } = (await audit.json()) as { events: { actor: string; action: string }[] }
      expect(events[0]).toMatchObject({ actor: `key:${scoped.id}`, action: 'object.put' })
    })

    it("keeps the bucket's policy: types at the start, size per part and whole, quota at completion", async () => {
      // Images whose metadata the bucket strips need one stream: no multipart there.
      const stripped = admin.send(
        new CreateMultipartUploadCommand({ Bucket: 'avatars', Key: 'me.jpg', ContentType: 'image/jpeg' }),
      )
      expect(await outcome(stripped)).toBe('InvalidArgument')
      const pics = { name: 'pics', maxFileSize: 5 * MiB, allowedTypes: ['image/*'] }
      expect((await h.fetch('/v1/buckets', json(pics, { token: h.admin }))).status).toBe(201)
      const refusedType = admin.send(
        new CreateMultipartUploadCommand({ Bucket: 'pics', Key: 'page.html', ContentType: 'text/html' }),
      )
      expect(await outcome(refusedType)).toBe('AccessDenied')
      const png = await admin.send(
        new CreateMultipartUploadCommand({ Bucket: 'pics', Key: 'big.png', ContentType: 'image/png' }),
      )
      expect(await outcome(part('pics', 'big.png', png.UploadId, 1, Buffer.alloc(6 * MiB)))).toBe(
        'EntityTooLarge',
      )
      await admin.send(
        new AbortMultipartUploadCommand({ Bucket: 'pics', Key: 'big.png', UploadId: png.UploadId }),
      )
      // Parts each within the limit, whose whole is not: refused at completion, nothing stored.
      const whole = await admin.send(
        new CreateMultipartUploadCommand({ Bucket: 'pics', Key: 'whole.png', ContentType: 'image/png' }),
      )
      const fits = await part('pics', 'whole.png', whole.UploadId, 1, Buffer.alloc(5 * MiB))
      const over = await part('pics', 'whole.png', whole.UploadId, 2, Buffer.alloc(1))
      const tooLarge = admin.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'pics',
          Key: 'whole.png',
          UploadId: whole.UploadId,
          MultipartUpload: { Parts: [fits, over].map((p, i) => ({ PartNumber: i + 1, ETag: p.ETag })) },
        }),
      )
      expect(await outcome(tooLarge)).toBe('EntityTooLarge')
      expect(await restSha('pics', 'whole.png')).toBe(404)
      // Two uploads of 6 MiB staged, then a quota that holds one of them; completed at once: one
      // fits, not both (each reserves its room before joining its parts).
      const started = await Promise.all(
        ['q/a', 'q/b'].map(async (Key) => {
          const { UploadId } = await admin.send(
            new CreateMultipartUploadCommand({ Bucket: 'prototypes', Key }),
          )
          const one = await part('prototypes', Key, UploadId, 1, Buffer.alloc(5 * MiB, 1))
          const two = await part('prototypes', Key, UploadId, 2, Buffer.alloc(1 * MiB, 2))
          return { Key, UploadId, Parts: [one, two].map((p, i) => ({ PartNumber: i + 1, ETag: p.ETag })) }
        }),
      )
      await setQuota(h, 'prototypes', 8 * MiB)
      const results = await Promise.all(
        started.map(({ Key, UploadId, Parts }) =>
          outcome(
            admin.send(
              new CompleteMultipartUploadCommand({
                Bucket: 'prototypes',
                Key,
                UploadId,
                MultipartUpload: { Parts },
              }),
            ),
          ),
        ),
      )
      expect(results.sort()).toEqual(['QuotaExceeded', 'ok'])
      const stored = await Promise.all(['q/a', 'q/b'].map((key) => restSha('prototypes', key)))
      expect(stored.filter((s) => s === 404)).toHaveLength(1)
      const usage = await h.fetch('/v1/buckets/prototypes/usage', { token: h.admin })
      expect(((await usage.json()) as { bytes: number }).bytes).toBe(6 * MiB)
      // The refused upload stays open (its parts count as staged) until it is aborted.
      const refused = started[stored.indexOf(404)]
      await admin.send(
        new AbortMultipartUploadCommand({
          Bucket: 'prototypes',
          Key: refused?.Key,
          UploadId: refused?.UploadId,
        }),
      )
      // Staged parts count against the quota as tus uploads' bytes do: 2 MiB are left, not 5.
      const late = await admin.send(new CreateMultipartUploadCommand({ Bucket: 'prototypes', Key: 'q/c' }))
      expect(await outcome(part('prototypes', 'q/c', late.UploadId, 1, Buffer.alloc(5 * MiB)))).toBe(
        'QuotaExceeded',
      )
      await part('prototypes', 'q/c', late.UploadId, 1, Buffer.alloc(1 * MiB))
      expect(await outcome(part('prototypes', 'q/c', late.UploadId, 2, Buffer.alloc(1 * MiB + 1)))).toBe(
        'QuotaExceeded',
      )
    })

    it('sweeps idle uploads: the index forgets them and the store removes their parts', async () => {
      const { UploadId } = await admin.send(
        new CreateMultipartUploadCommand({ Bucket: 'documents', Key: 'idle/a' }),
      )
      await part('documents', 'idle/a', UploadId, 1, Buffer.from('idle'))
      const store = new MultipartUploadStore(h.db)
      expect(await sweepMultipart(store, h.storage, new Date(Date.now() - 3600_000))).toBe(0)
      expect(await sweepMultipart(store, h.storage, new Date(Date.now() + 1000))).toBeGreaterThanOrEqual(1)
      expect(
        await outcome(admin.send(new ListPartsCommand({ Bucket: 'documents', Key: 'idle/a', UploadId }))),
      ).toBe('NoSuchUpload')
      expect(await outcome(h.storage.listParts('documents/idle/a', UploadId ?? ''))).toBe('StorageError')
      if (driver === 'fs') expect(await readdir(join(h.filesDir, 'multipart'))).toEqual([])
    })
  },
)
