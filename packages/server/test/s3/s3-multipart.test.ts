import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { describe, expect, it } from 'vitest'
import { testStorages, VARIANTS } from '../harness.ts'
import { multipartEtag, outcome, s3Key as s3KeyOf, sha256 } from './s3-clients.ts'
import { multipartContext } from './s3-multipart-harness.ts'

const MiB = 1024 * 1024
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest()

const storages = testStorages()

describe.each(VARIANTS)(
  'S3 multipart with the AWS SDK ($driver driver, $persistence index)',
  ({ driver, persistence }) => {
    const t = multipartContext(storages, driver, persistence)
    const { part, restSha } = t
    const s3Key = (scopes: unknown[]) => s3KeyOf(t.h, scopes)

    it('lib-storage Upload streams 12 MiB in parts: bytes, etag, index and audit as for a PUT', async () => {
      const data = randomBytes(12 * MiB + 1)
      const upload = new Upload({
        client: t.admin,
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
      const head = await t.admin.send(new HeadObjectCommand({ Bucket: 'documents', Key: 'mp/big.bin' }))
      const parts = [data.subarray(0, 5 * MiB), data.subarray(5 * MiB, 10 * MiB), data.subarray(10 * MiB)]
      expect(head).toMatchObject({ ETag: multipartEtag(parts), ContentLength: data.length })
      expect(head.ContentType).toBe('application/x-big')
      const listed = await t.h.fetch('/v1/buckets/documents/objects?prefix=mp/', { token: t.h.admin })
      const { objects } = (await listed.json()) as { objects: { key: string; size: number }[] }
      expect(objects).toContainEqual(expect.objectContaining({ key: 'mp/big.bin', size: data.length }))
      const audit = await t.h.fetch('/v1/audit?bucket=documents&key=mp/big.bin', { token: t.h.admin })
      const { events } = (await audit.json()) as { events: { actor: string; action: string }[] }
      expect(events[0]).toMatchObject({ actor: `key:${t.adminId}`, action: 'object.put' })
      expect(
        (await t.admin.send(new ListMultipartUploadsCommand({ Bucket: 'documents', Prefix: 'mp/' })))
          .Uploads ?? [],
      ).toEqual([])
    })

    it('parts in any order, a copied range, ListParts, ListMultipartUploads and checked completions', async () => {
      const source = randomBytes(6 * MiB)
      await t.admin
        .send(
          new CreateMultipartUploadCommand({
            Bucket: 'documents',
            Key: 'mp/source',
            ContentType: 'text/plain',
          }),
        )
        .then(async ({ UploadId }) => {
          const one = await part('documents', 'mp/source', UploadId, 1, source)
          await t.admin.send(
            new CompleteMultipartUploadCommand({
              Bucket: 'documents',
              Key: 'mp/source',
              UploadId,
              MultipartUpload: { Parts: [{ PartNumber: 1, ETag: one.ETag }] },
            }),
          )
        })
      const Key = 'mp/assembled ü.txt'
      const { UploadId } = await t.admin.send(
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
      const copied = await t.admin.send(
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
          t.admin.send(
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
      const sourceHead = await t.admin.send(new HeadObjectCommand({ Bucket: 'documents', Key: 'mp/source' }))
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
      const listed = await t.admin.send(
        new ListPartsCommand({ Bucket: 'documents', Key, UploadId, MaxParts: 2 }),
      )
      expect(listed.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([
        [1, first.length],
        [2, middle.length],
      ])
      expect(listed).toMatchObject({ IsTruncated: true, NextPartNumberMarker: '2' })
      const uploads = await t.admin.send(
        new ListMultipartUploadsCommand({ Bucket: 'documents', Prefix: 'mp/' }),
      )
      expect(uploads.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([[Key, UploadId]])
      const complete = (Parts: { PartNumber: number; ETag: string | undefined }[]) =>
        outcome(
          t.admin.send(
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
      const head = await t.admin.send(new HeadObjectCommand({ Bucket: 'documents', Key }))
      expect(head).toMatchObject({ ETag: multipartEtag([first, middle, last]), Metadata: { by: 'sdk' } })
      expect(await outcome(t.admin.send(new ListPartsCommand({ Bucket: 'documents', Key, UploadId })))).toBe(
        'NoSuchUpload',
      )
      // Every part but the last has at least 5 MiB.
      const small = await t.admin.send(
        new CreateMultipartUploadCommand({ Bucket: 'documents', Key: 'mp/small' }),
      )
      const a = await part('documents', 'mp/small', small.UploadId, 1, Buffer.from('a'))
      const b = await part('documents', 'mp/small', small.UploadId, 2, Buffer.from('b'))
      const tooSmall = t.admin.send(
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
          (await t.admin.send(new CreateMultipartUploadCommand({ Bucket: 'documents', Key }))).UploadId ?? '',
        )
      const list = (input: { Delimiter?: string; KeyMarker?: string; UploadIdMarker?: string }) =>
        t.admin.send(new ListMultipartUploadsCommand({ Bucket: 'documents', Prefix: 'lm/', ...input }))
      const folded = await list({ Delimiter: '/' })
      expect(folded.Uploads?.map((u) => u.Key)).toEqual(['lm/b', 'lm/b'])
      expect(folded.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['lm/a/', 'lm/c/'])
      for (const Delimiter of [undefined, '/']) {
        const seen: string[] = []
        let markers: { KeyMarker?: string | undefined; UploadIdMarker?: string | undefined } = {}
        for (let pages = 0; pages < 10; pages++) {
          const page = await t.admin.send(
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
        await t.admin.send(new AbortMultipartUploadCommand({ Bucket: 'documents', Key, UploadId: ids[i] }))
    })

    it('aborts; a scoped key starts, sends and completes only under its prefix', async () => {
      const { UploadId } = await t.admin.send(
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
      await t.admin.send(new AbortMultipartUploadCommand({ Bucket: 'documents', Key: 'theirs/x', UploadId }))
      expect(await outcome(part('documents', 'theirs/x', UploadId, 2, Buffer.from('late')))).toBe(
        'NoSuchUpload',
      )
      expect(await restSha('documents', 'theirs/x')).toBe(404)
      const audit = await t.h.fetch('/v1/audit?bucket=documents&key=mine/z', { token: t.h.admin })
      const { events } = (await audit.json()) as { events: { actor: string; action: string }[] }
      expect(events[0]).toMatchObject({ actor: `key:${scoped.id}`, action: 'object.put' })
    })
  },
)
