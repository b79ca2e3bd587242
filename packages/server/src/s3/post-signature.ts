import { getSigningKey } from '@smithy/signature-v4'
import type { AppContext } from '../http/app-context.ts'
import { parseAmzDate } from './request-target.ts'
import { S3Error } from './s3-error.ts'
import { parseCredential, SIGV4_ALGORITHM } from './sigv4-auth.ts'
import { hmacHex, NodeSha256, signaturesMatch } from './sigv4-crypto.ts'

/**
 * Verifies the SigV4 signature of a POST form (per the S3 API reference, "Browser-based uploads
 * using POST"): the signature is the HMAC of the base64 policy under the signing key of
 * `x-amz-credential`'s scope, whose day must be `x-amz-date`'s and whose region the endpoint's.
 * Returns the access key id that signed. SigV2 forms are refused with the reason; no error names
 * the secret or a signature.
 */
export async function verifyPostSignature(
  ctx: AppContext,
  fields: ReadonlyMap<string, string>,
  region: string,
): Promise<string> {
  if (fields.has('awsaccesskeyid') || fields.has('signature'))
    throw new S3Error(
      'InvalidRequest',
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    )
  const policy = fields.get('policy')
  const signature = fields.get('x-amz-signature')
  if (policy === undefined) throw new S3Error('AccessDenied', 'a POST upload needs a signed policy')
  // A policy without its signature is a malformed form, not an anonymous one: 400, as on S3.
  if (signature === undefined)
    throw new S3Error(
      'InvalidArgument',
      "Bucket POST must contain a field named 'X-Amz-Signature'. If it is specified, please check the order of the fields.",
    )
  if (fields.get('x-amz-algorithm') !== SIGV4_ALGORITHM)
    throw new S3Error('InvalidArgument', 'x-amz-algorithm must be AWS4-HMAC-SHA256')
  const credential = parseCredential(fields.get('x-amz-credential') ?? '', 'InvalidArgument')
  const date = parseAmzDate(fields.get('x-amz-date') ?? '')
  if (date === undefined || fields.get('x-amz-date')?.slice(0, 8) !== credential.shortDate)
    throw new S3Error('InvalidArgument', "x-amz-date must be a long ISO 8601 time of the credential's day")
  if (credential.region !== region)
    throw new S3Error('InvalidArgument', `the credential's region must be '${region}'`, {
      details: { Region: region },
    })
  const found = await ctx.s3Credentials.find(credential.accessKeyId)
  if (found === undefined)
    throw new S3Error(
      'InvalidAccessKeyId',
      'The AWS access key Id you provided does not exist in our records.',
    )
  const key = await getSigningKey(
    NodeSha256,
    { accessKeyId: credential.accessKeyId, secretAccessKey: found.secretAccessKey },
    credential.shortDate,
    region,
    's3',
  )
  if (!signaturesMatch(hmacHex(key, policy), signature))
    throw new S3Error(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    )
  return credential.accessKeyId
}
