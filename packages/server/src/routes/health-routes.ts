import { StorageError } from '@coffer/core'
import { Type } from 'typebox'
import type { AppContext } from '../http/app-context.ts'
import type { App } from '../http/typed-app.ts'
import { ProblemSchema } from './schemas.ts'

const Status = Type.Object({ status: Type.String() })

/**
 * `/healthz`: the process answers (liveness). `/readyz`: the index and the storage answer too, so a
 * load balancer sends traffic only to replicas that can serve it (readiness).
 */
export function healthRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/healthz',
    { schema: { tags: ['health'], summary: 'Liveness', response: { 200: Status } } },
    async () => ({ status: 'ok' }),
  )
  app.get(
    '/readyz',
    { schema: { tags: ['health'], summary: 'Readiness', response: { 200: Status, '5xx': ProblemSchema } } },
    async () => {
      await ctx.catalog.ping()
      await ctx.storage.listObjects({ limit: 1 }).catch((cause: unknown) => {
        throw new StorageError('Unavailable', 'the storage does not answer', { cause })
      })
      return { status: 'ready' }
    },
  )
}
