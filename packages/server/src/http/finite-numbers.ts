import { StorageError } from '@coffer/core'
import type { preHandlerHookHandler, RouteOptions } from 'fastify'

/** Whether a parsed query or body holds ±Infinity or NaN anywhere in its first levels. */
function hasNonFinite(value: unknown, depth = 0): boolean {
  if (typeof value === 'number') return !Number.isFinite(value)
  if (value === null || typeof value !== 'object' || depth > 3) return false
  for (const item of Object.values(value)) if (hasNonFinite(item, depth + 1)) return true
  return false
}

const refuseNonFinite: preHandlerHookHandler = (request, _reply, done) => {
  if (hasNonFinite(request.query) || hasNonFinite(request.body)) {
    done(new StorageError('InvalidArgument', 'numbers in a request must be finite'))
  } else done()
}

/**
 * An `onRoute` hook for routes with a query or body schema. Ajv's type coercion turns "Infinity" or
 * "1e400" (in a query string, or a string in a JSON body) into ±Infinity and then skips the range
 * checks, which it runs on finite numbers only: `limit=Infinity` passed `maximum: 1000` and reached
 * the database (500). Such a request is refused before its handler runs.
 */
export function refuseNonFiniteNumbers(route: RouteOptions): void {
  if (route.schema?.querystring === undefined && route.schema?.body === undefined) return
  const existing = route.preHandler === undefined ? [] : [route.preHandler].flat()
  route.preHandler = [refuseNonFinite, ...existing]
}
