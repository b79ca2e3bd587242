import { createHmac } from 'node:crypto'
import fc from 'fast-check'

/** What is odd about a browser POST upload: its policy, its fields or its form. */
export const POST_FAULTS = [
  'none',
  'none',
  'none',
  'expired',
  'policy-garbage',
  'policy-not-json',
  'key-outside',
  'length-range',
  'bucket-other',
  'field-unlisted',
  'signature',
  'sigv2',
  'no-file',
  'file-first',
  'two-files',
  'no-closing',
  'big-field',
  'filename-key',
] as const

/** One of {@link POST_FAULTS}. */
export type PostFault = (typeof POST_FAULTS)[number]

/** A browser POST upload: the key it names, what the policy allows, and one fault. */
export interface PostUpload {
  bucket: string
  key: string
  fault: PostFault
  successStatus?: string
  contentType?: string
  meta?: string
}

export const postFault = fc.constantFrom<PostFault>(...POST_FAULTS)

const BOUNDARY = '----fuzzS3PostBoundary9aZ'

const part = (name: string, value: string | Buffer, filename?: string) =>
  Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${filename === undefined ? '' : `; filename="${filename}"`}\r\n\r\n`,
    ),
    Buffer.from(value),
    Buffer.from('\r\n'),
  ])

/**
 * The form of a POST upload signed as @aws-sdk/s3-presigned-post signs it (SigV4: the policy's
 * base64 signed with the day's signing key), with `upload.fault` applied.
 */
export function postFormBody(
  upload: PostUpload,
  file: Buffer,
  credential: { accessKeyId: string; signingKey: Uint8Array },
  date: Date,
): { contentType: string; body: Buffer } {
  const longDate = date.toISOString().replace(/[-:]|\.\d{3}/g, '')
  const scope = `${credential.accessKeyId}/${longDate.slice(0, 8)}/us-east-1/s3/aws4_request`
  const f = upload.fault
  const key =
    f === 'filename-key' ? `${upload.key.split('/').slice(0, -1).join('/')}/\${filename}` : upload.key
  const conditions: unknown[] = [
    { bucket: f === 'bucket-other' ? 'somebody-else' : upload.bucket },
    f === 'key-outside' ? ['starts-with', '$key', 'elsewhere/'] : ['starts-with', '$key', ''],
    { 'x-amz-algorithm': 'AWS4-HMAC-SHA256' },
    { 'x-amz-credential': scope },
    { 'x-amz-date': longDate },
    ['content-length-range', 0, f === 'length-range' ? 1 : 1_000_000],
  ]
  const fields: Array<[string, string]> = [['key', key]]
  if (upload.successStatus !== undefined) {
    fields.push(['success_action_status', upload.successStatus])
    conditions.push({ success_action_status: upload.successStatus })
  }
  if (upload.contentType !== undefined) {
    fields.push(['Content-Type', upload.contentType])
    conditions.push(['starts-with', '$Content-Type', ''])
  }
  if (upload.meta !== undefined) {
    fields.push(['x-amz-meta-a', upload.meta])
    conditions.push(['starts-with', '$x-amz-meta-a', ''])
  }
  if (f === 'field-unlisted') fields.push(['x-amz-meta-unlisted', 'x'])
  if (f === 'big-field') fields.push(['x-amz-meta-big', 'x'.repeat(30_000)])
  const expiration = new Date(date.getTime() + (f === 'expired' ? -60_000 : 600_000)).toISOString()
  const document = f === 'policy-not-json' ? '{"expiration":' : JSON.stringify({ expiration, conditions })
  const policy = f === 'policy-garbage' ? '%%%not base64' : Buffer.from(document).toString('base64')
  const signature = createHmac('sha256', credential.signingKey).update(policy).digest('hex')
  const signed: Array<[string, string]> =
    f === 'sigv2'
      ? [
          ['AWSAccessKeyId', credential.accessKeyId],
          ['policy', policy],
          ['signature', 'frJIUN8DYpKDtOLCwo//yllqDzg='],
        ]
      : [
          ['x-amz-algorithm', 'AWS4-HMAC-SHA256'],
          ['x-amz-credential', scope],
          ['x-amz-date', longDate],
          ['policy', policy],
          [
            'x-amz-signature',
            f === 'signature' ? signature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) : signature,
          ],
        ]
  const fileParts =
    f === 'no-file'
      ? []
      : f === 'two-files'
        ? [part('file', file, 'a.txt'), part('file', file, 'b.txt')]
        : [part('file', file, 'фото a.txt')]
  const fieldParts = [...fields, ...signed].map(([name, value]) => part(name, value))
  const parts = f === 'file-first' ? [...fileParts, ...fieldParts] : [...fieldParts, ...fileParts]
  const closing = f === 'no-closing' ? [] : [Buffer.from(`--${BOUNDARY}--\r\n`)]
  return {
    contentType: `multipart/form-data; boundary=${BOUNDARY}`,
    body: Buffer.concat([...parts, ...closing]),
  }
}
