import {
  CreateMultipartUploadCommand,
  type CreateMultipartUploadCommandOutput,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from '../harness.ts'
import { outcome, s3Credentials, sdkClient } from './s3-clients.ts'

let harness: Harness
let s3: S3Client

beforeAll(async () => {
  // Two open uploads per credential, 1 MiB staged in all: the limits tus uploads have, made small.
  harness = await startHarness('sqlite', {
    uploadLimits: { sessionsPerCredential: 2, totalBytes: 1024 * 1024 },
  })
  const credentials = await s3Credentials(harness, [{ bucket: '*', permissions: ['admin'] }])
  s3 = sdkClient(harness, credentials)
})
afterAll(() => harness?.close())

describe('limits on multipart uploads in progress', () => {
  it('bounds the uploads one credential opens and the bytes all uploads stage', async () => {
    const create = (Key: string) => s3.send(new CreateMultipartUploadCommand({ Bucket: 'documents', Key }))
    const uploads: CreateMultipartUploadCommandOutput[] = [await create('l/a'), await create('l/b')]
    expect(await outcome(create('l/c'))).toBe('AccessDenied')
    const part = (index: number, bytes: number) => {
      const { Key, UploadId } = uploads[index] ?? {}
      return s3.send(
        new UploadPartCommand({
          Bucket: 'documents',
          Key,
          UploadId,
          PartNumber: 1,
          Body: Buffer.alloc(bytes),
        }),
      )
    }
    expect(await outcome(part(0, 600 * 1024))).toBe('ok')
    expect(await outcome(part(1, 600 * 1024))).toBe('ServiceUnavailable')
    expect(await outcome(part(1, 400 * 1024))).toBe('ok')
  })
})
