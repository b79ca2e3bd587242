import { StorageError } from '@coffer/core'
import { sql } from 'kysely'
import { Type } from 'typebox'
import type { App, AppContext } from '../app-context.ts'
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
      await sql`select 1`.execute(ctx.db).catch((cause: unknown) => {
        throw new StorageError('Unavailable', 'the index database does not answer', { cause })
      })
      await ctx.storage.listObjects({ limit: 1 }).catch((cause: unknown) => {
        throw new StorageError('Unavailable', 'the storage does not answer', { cause })
      })
      return { status: 'ready' }
    },
  )
}
