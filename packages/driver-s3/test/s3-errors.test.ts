import { isStorageError } from '@coffer/core'
import { describe, expect, it } from 'vitest'
import { s3Error } from '../src/s3-errors.ts'

describe('s3Error', () => {
  it('keeps a failure of this process (a body that failed its checks) as the cause', () => {
    const body = Object.assign(new Error('The CRC32 you specified did not match'), {
      name: 'S3Error',
      code: 'BadDigest',
    })
    const mapped = s3Error(body, 'writing the object', 'k')
    expect(isStorageError(mapped)).toBe(true)
    expect(mapped.cause).toBe(body)
  })

  it('never keeps the S3 server’s error document: a sanitized copy goes as the cause', () => {
    const sdk = Object.assign(new Error('The request signature we calculated does not match'), {
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403, requestId: 'r1' },
      SignatureProvided: 'abc123',
      StringToSign: 'AWS4-HMAC-SHA256…',
    })
    const mapped = s3Error(sdk, 'reading')
    expect(mapped.code).toBe('AccessDenied')
    expect(mapped.cause).not.toBe(sdk)
    expect(JSON.stringify(mapped.cause, Object.getOwnPropertyNames(mapped.cause))).not.toMatch(
      /abc123|StringToSign|AWS4/,
    )
    const unknown = Object.assign(new Error('odd'), { name: 'Odd', $metadata: { httpStatusCode: 400 } })
    expect(s3Error(unknown, 'reading').cause).not.toBe(unknown)
  })
})
