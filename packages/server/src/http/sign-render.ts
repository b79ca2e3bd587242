import { StorageError } from '@coffer/core'
import { parseTransform, type TransformInput } from '@coffer/images'
import type { FastifyRequest } from 'fastify'
import { authorize, principalOf } from '../domain/auth/authorize.ts'
import type { AppContext } from './app-context.ts'
import { boundedExpiry } from './presign.ts'

/**
 * A signed render URL for `key` (`POST /v1/buckets/:bucket/sign` with `transform`): needs sign and
 * read on the key, refused where the bucket renders nothing, bound to its issuer like every signed
 * URL (it dies when the key is revoked, and never outlives it).
 */
export async function signRender(
  ctx: AppContext,
  request: FastifyRequest,
  bucket: string,
  key: string,
  transform: TransformInput,
  expiresIn: number,
): Promise<{ url: string; expiresAt: string }> {
  const objects = await authorize(ctx, request, bucket, [key, 'sign'], [key, 'read'])
  if (objects.bucket.renders === 'none') {
    throw new StorageError('AccessDenied', `bucket "${bucket}" renders no images`)
  }
  const parsed = parseTransform(transform)
  const issuer = await principalOf(ctx, request)
  const bounded = boundedExpiry(issuer, expiresIn)
  const url = ctx.renderSigner.sign(bucket, key, parsed, {
    expiresIn: bounded.expiresIn,
    issuer: `${issuer.kind}:${issuer.id}`,
  })
  return { url, expiresAt: bounded.expiresAt }
}
