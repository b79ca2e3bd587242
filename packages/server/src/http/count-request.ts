import type { FastifyReply, FastifyRequest } from 'fastify'
import { objectsOfRequest } from '../domain/auth/authorize.ts'
import type { AppContext } from './app-context.ts'

/**
 * Counts a finished request in the metrics, and in the usage statistics when it used a bucket (on
 * either listener: the API's and the content origin's).
 */
export function countRequest(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): void {
  const route = request.routeOptions.url ?? 'unmatched'
  const labels = { method: request.method, route, status: String(reply.statusCode) }
  ctx.metrics.requests.inc(labels)
  ctx.metrics.latency.observe(labels, reply.elapsedTime / 1000)
  const objects = objectsOfRequest(request)
  if (objects === undefined) return
  // Object routes end in a wildcard; their GET bodies are the objects served.
  const served =
    request.method === 'GET' && route.endsWith('/*') && (reply.statusCode === 200 || reply.statusCode === 206)
  const bytesOut = served ? Number(reply.getHeader('content-length') ?? 0) || 0 : 0
  const bucket = objects.bucket.name
  ctx.usage.record(bucket, objects.actor.id, objects.bytesIn, bytesOut)
  if (objects.bytesIn > 0) ctx.metrics.bytesIn.inc({ bucket }, objects.bytesIn)
  if (bytesOut > 0) ctx.metrics.bytesOut.inc({ bucket }, bytesOut)
}
