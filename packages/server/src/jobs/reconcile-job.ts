import type { FastifyPluginAsync } from 'fastify'
import type { DomainContext } from '../domain/context.ts'

/** When reconcile runs in the background. */
export interface ReconcileJobOptions {
  ctx: DomainContext
  /** Runs reconcile this often (ms); never when absent. */
  every?: number | undefined
  /**
   * Runs once at start when the index has no object row (a new install, or an upgrade from a
   * version without the index), or always (`'always'`: after an unclean stop, whose last writes may
   * have reached the store but not the index).
   */
  atStart?: boolean | 'always' | undefined
}

/**
 * Reconcile in the background: a run asked for during a run is skipped, what it repaired is logged,
 * and closing the app stops a run at its next page.
 */
export const reconcileJob: FastifyPluginAsync<ReconcileJobOptions> = async (app, { ctx, every, atStart }) => {
  const stop = new AbortController()
  let running: Promise<void> | undefined
  app.addHook('onClose', async () => {
    stop.abort()
    await running
  })
  const reconcileNow = () => {
    if (running || stop.signal.aborted) return
    running = ctx
      .reconcile({ signal: stop.signal })
      .then(
        (report) => app.log.info({ reconcile: { ...report, changes: undefined } }, 'reconcile done'),
        (error: unknown) => {
          if (!stop.signal.aborted) app.log.warn({ err: error }, 'reconcile failed')
        },
      )
      .finally(() => {
        running = undefined
      })
  }
  if (every !== undefined) {
    const timer = setInterval(reconcileNow, every)
    timer.unref()
    app.addHook('onClose', async () => clearInterval(timer))
  }
  if (atStart === 'always' || (atStart && !(await ctx.catalog.hasRows()))) reconcileNow()
}
