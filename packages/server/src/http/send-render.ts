import type { NormalizedKey } from '@coffer/core'
import type { Transform } from '@coffer/images'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { BucketObjects } from '../domain/buckets/bucket-objects.ts'
import type { RenderService } from '../domain/renders/render-service.ts'
import { clientGone } from './serve-object.ts'

/**
 * How long clients and CDNs may keep a render. A render URL names the source by key, not version,
 * so a plain one is kept an hour (then revalidated by its ETag, a cheap 304); one with `?v=<tag>`
 * (the caller puts the object's etag there) changes when the source does, so it is kept a year.
 */
export function renderCacheControl(
  request: FastifyRequest,
  scope: 'public' | 'private',
  maxAge?: number,
): string {
  const versioned = new URL(request.url, 'http://x').searchParams.has('v')
  if (scope === 'private') return `private, max-age=${Math.max(0, maxAge ?? 0)}`
  return versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=3600'
}

/** What to render, and how long the answer may be kept. */
export interface RenderTarget {
  objects: BucketObjects
  key: NormalizedKey
  transform: Transform
  cacheControl: string
}

/**
 * Answers a render request: 200 with the render (from the cache or just made), or 304 when
 * `If-None-Match` names it. `Vary: Accept` whenever the format came from `Accept`.
 */
export async function sendRender(
  request: FastifyRequest,
  reply: FastifyReply,
  renders: RenderService,
  { objects, key, transform, cacheControl }: RenderTarget,
): Promise<FastifyReply> {
  const ifNoneMatch = request.headers['if-none-match']
  const result = await renders.render(objects, key, {
    transform,
    accept: request.headers.accept,
    ifNoneMatch,
    signal: clientGone(request, reply),
  })
  reply.header('cache-control', cacheControl)
  if ((transform.format ?? 'auto') === 'auto') reply.header('vary', 'Accept')
  if (result === undefined) {
    // The etag matched before anything was read: 304 with the validator the client sent.
    reply.header('etag', ifNoneMatch?.split(',')[0]?.trim().replace(/^W\//, ''))
    return reply.code(304).send()
  }
  reply.header('etag', result.etag)
  reply.header('content-type', result.contentType)
  reply.header('content-length', result.size)
  return reply.send(result.body)
}
