import {
  type CompletedPart,
  CompleteMultipartUploadCommand,
  type CompleteMultipartUploadCommandOutput,
  type S3Client,
  UploadPartCommand,
  type UploadPartCommandOutput,
} from '@aws-sdk/client-s3'
import { afterAll, beforeAll, beforeEach } from 'vitest'
import type { DriverName, Harness, Persistence, testStorages } from '../harness.ts'
import { restSha, s3Key } from './s3-clients.ts'

/** What a multipart test block works with, once its harness has started. */
export interface MultipartContext {
  h: Harness
  /** An SDK client with an admin key's S3 credentials. */
  admin: S3Client
  adminId: string
  /** Uploads one part with the admin client. */
  part(
    Bucket: string,
    Key: string,
    UploadId: string | undefined,
    PartNumber: number,
    Body: Buffer,
  ): Promise<UploadPartCommandOutput>
  /** Completes an upload with the admin client, naming these parts. */
  complete(
    Bucket: string,
    Key: string,
    UploadId: string | undefined,
    Parts: CompletedPart[],
  ): Promise<CompleteMultipartUploadCommandOutput>
  /** The sha256 the REST API serves for a key, or its status. */
  restSha(bucket: string, key: string): Promise<string | number>
}

/**
 * For a `describe` block run on one storage: starts a harness on `driver` and an admin S3 client
 * before its tests, skips them (with the reason) when the driver cannot run here, stops it after.
 */
export function multipartContext(
  storages: ReturnType<typeof testStorages>,
  driver: DriverName,
  persistence: Persistence,
): MultipartContext {
  const t = {
    part: (Bucket: string, Key: string, UploadId: string | undefined, PartNumber: number, Body: Buffer) =>
      t.admin.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body })),
    complete: (Bucket: string, Key: string, UploadId: string | undefined, Parts: CompletedPart[]) =>
      t.admin.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } })),
    restSha: (bucket: string, key: string) => restSha(t.h, bucket, key),
  } as unknown as MultipartContext
  beforeAll(async () => {
    if (!(await storages.ready(driver))) return
    t.h = await storages.start(driver, persistence)
    const key = await s3Key(t.h, [{ bucket: '*', permissions: ['admin'] }])
    t.admin = key.client
    t.adminId = key.id
  })
  afterAll(() => t.h?.close())
  beforeEach(({ skip }) => storages.skipUnavailable(driver, skip))
  return t
}
