import type { NormalizedKey } from '@coffer/core'
import { StorageError } from '@coffer/core'
import { parseTransform, type TransformInput } from '@coffer/images'
import type { FastifyRequest } from 'fastify'
import { type Access, authorize, principalOf } from '../domain/auth/authorize.ts'
import type { AppContext } from './app-context.ts'
import { boundedExpiry } from './presign.ts'

/**
 * Signed render URLs for `keys`, one transform sealed in all of them (`POST /v1/buckets/:bucket/sign`
 * with `transform` for one key, `POST …/render-urls` for a listing page): needs sign and read on
 * every key (a batch is signed whole or refused whole), refused where the bucket renders nothing,
 * bound to its issuer like every signed URL (it dies when the key is revoked, and never outlives it).
 * The URLs come back in the order of `keys`.
 */
export async function signRenders(
  ctx: AppContext,
  request: FastifyRequest,
  bucket: string,
  keys: readonly NormalizedKey[],
  transform: TransformInput,
  expiresIn: number,
): Promise<{ urls: string[]; expiresAt: string }> {
  const checks = keys.flatMap((key): Access[] => [
    [key, 'sign'],
    [key, 'read'],
  ])
  const objects = await authorize(ctx, request, bucket, ...checks)
  if (objects.bucket.renders === 'none') {
    throw new StorageError('AccessDenied', `bucket "${bucket}" renders no images`)
  }
  const parsed = parseTransform(transform)
  const issuer = await principalOf(ctx, request)
  const bounded = boundedExpiry(issuer, expiresIn)
  const grant = { expiresIn: bounded.expiresIn, issuer: `${issuer.kind}:${issuer.id}` }
  const urls = keys.map((key) => ctx.renderSigner.sign(bucket, key, parsed, grant))
  return { urls, expiresAt: bounded.expiresAt }
}

/** One signed render URL (see `signRenders`). */
export async function signRender(
  ctx: AppContext,
  request: FastifyRequest,
  bucket: string,
  key: NormalizedKey,
  transform: TransformInput,
  expiresIn: number,
): Promise<{ url: string; expiresAt: string }> {
  const { urls, expiresAt } = await signRenders(ctx, request, bucket, [key], transform, expiresIn)
  return { url: urls[0] as string, expiresAt }
}
