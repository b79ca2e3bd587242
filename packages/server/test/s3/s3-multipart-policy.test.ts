import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
} from '@aws-sdk/client-s3'
import { describe, expect, it } from 'vitest'
import { MultipartUploadStore } from '../../src/domain/uploads/multipart-upload-store.ts'
import { sweepMultipart } from '../../src/jobs/upload-sweep-job.ts'
import { json, testStorages, VARIANTS } from '../harness.ts'
import { outcome, setQuota } from './s3-clients.ts'
import { multipartContext } from './s3-multipart-harness.ts'

const MiB = 1024 * 1024
const storages = testStorages()

describe.each(VARIANTS)(
  "S3 multipart under a bucket's policy, and swept ($driver driver, $persistence index)",
  ({ driver, persistence }) => {
    const t = multipartContext(storages, driver, persistence)
    const { part, restSha } = t

    it("keeps the bucket's policy: types at the start, size per part and whole, quota at completion", async () => {
      // Images whose metadata the bucket strips need one stream: no multipart there.
      const stripped = t.admin.send(
        new CreateMultipartUploadCommand({ Bucket: 'avatars', Key: 'me.jpg', ContentType: 'image/jpeg' }),
      )
      expect(await outcome(stripped)).toBe('InvalidArgument')
      const pics = { name: 'pics', maxFileSize: 5 * MiB, allowedTypes: ['image/*'] }
      expect((await t.h.fetch('/v1/buckets', json(pics, { token: t.h.admin }))).status).toBe(201)
      const refusedType = t.admin.send(
        new CreateMultipartUploadCommand({ Bucket: 'pics', Key: 'page.html', ContentType: 'text/html' }),
      )
      expect(await outcome(refusedType)).toBe('AccessDenied')
      const png = await t.admin.send(
        new CreateMultipartUploadCommand({ Bucket: 'pics', Key: 'big.png', ContentType: 'image/png' }),
      )
      expect(await outcome(part('pics', 'big.png', png.UploadId, 1, Buffer.alloc(6 * MiB)))).toBe(
        'EntityTooLarge',
      )
      await t.admin.send(
        new AbortMultipartUploadCommand({ Bucket: 'pics', Key: 'big.png', UploadId: png.UploadId }),
      )
      // Parts each within the limit, whose whole is not: refused at completion, nothing stored.
      const whole = await t.admin.send(
        new CreateMultipartUploadCommand({ Bucket: 'pics', Key: 'whole.png', ContentType: 'image/png' }),
      )
      const fits = await part('pics', 'whole.png', whole.UploadId, 1, Buffer.alloc(5 * MiB))
      const over = await part('pics', 'whole.png', whole.UploadId, 2, Buffer.alloc(1))
      const tooLarge = t.admin.send(
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
          const { UploadId } = await t.admin.send(
            new CreateMultipartUploadCommand({ Bucket: 'prototypes', Key }),
          )
          const one = await part('prototypes', Key, UploadId, 1, Buffer.alloc(5 * MiB, 1))
          const two = await part('prototypes', Key, UploadId, 2, Buffer.alloc(1 * MiB, 2))
          return { Key, UploadId, Parts: [one, two].map((p, i) => ({ PartNumber: i + 1, ETag: p.ETag })) }
        }),
      )
      await setQuota(t.h, 'prototypes', 8 * MiB)
      const results = await Promise.all(
        started.map(({ Key, UploadId, Parts }) =>
          outcome(
            t.admin.send(
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
      const usage = await t.h.fetch('/v1/buckets/prototypes/usage', { token: t.h.admin })
      expect(((await usage.json()) as { bytes: number }).bytes).toBe(6 * MiB)
      // The refused upload stays open (its parts count as staged) until it is aborted.
      const refused = started[stored.indexOf(404)]
      await t.admin.send(
        new AbortMultipartUploadCommand({
          Bucket: 'prototypes',
          Key: refused?.Key,
          UploadId: refused?.UploadId,
        }),
      )
      // Staged parts count against the quota as tus uploads' bytes do: 2 MiB are left, not 5.
      const late = await t.admin.send(new CreateMultipartUploadCommand({ Bucket: 'prototypes', Key: 'q/c' }))
      expect(await outcome(part('prototypes', 'q/c', late.UploadId, 1, Buffer.alloc(5 * MiB)))).toBe(
        'QuotaExceeded',
      )
      await part('prototypes', 'q/c', late.UploadId, 1, Buffer.alloc(1 * MiB))
      expect(await outcome(part('prototypes', 'q/c', late.UploadId, 2, Buffer.alloc(1 * MiB + 1)))).toBe(
        'QuotaExceeded',
      )
    })

    it('sweeps idle uploads: the index forgets them and the store removes their parts', async () => {
      const { UploadId } = await t.admin.send(
        new CreateMultipartUploadCommand({ Bucket: 'documents', Key: 'idle/a' }),
      )
      await part('documents', 'idle/a', UploadId, 1, Buffer.from('idle'))
      const store = new MultipartUploadStore(t.h.db)
      expect(await sweepMultipart(store, t.h.storage, new Date(Date.now() - 3600_000))).toBe(0)
      expect(await sweepMultipart(store, t.h.storage, new Date(Date.now() + 1000))).toBeGreaterThanOrEqual(1)
      expect(
        await outcome(t.admin.send(new ListPartsCommand({ Bucket: 'documents', Key: 'idle/a', UploadId }))),
      ).toBe('NoSuchUpload')
      expect(await outcome(t.h.storage.listParts('documents/idle/a', UploadId ?? ''))).toBe('StorageError')
      if (driver === 'fs') expect(await readdir(join(t.h.filesDir, 'multipart'))).toEqual([])
    })
  },
)
