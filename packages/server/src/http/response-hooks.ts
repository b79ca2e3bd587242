import type { AppContext } from './app-context.ts'
import { countRequest } from './count-request.ts'
import { logRequest } from './request-log.ts'
import type { App } from './typed-app.ts'

/** Seconds a 503 asks clients to wait before they try again. */
const RETRY_AFTER = '5'

/**
 * The hooks every listener's responses go through (the API and the content origin alike): nosniff,
 * `Retry-After` on a 503, `Connection: close` while shutting down, one log line and the counts.
 * Callbacks, not async: they run on every request, and a promise each costs more.
 */
export function registerResponseHooks(app: App, ctx: AppContext): void {
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onSend', (_request, reply, payload, done) => {
    // Per the Fetch standard, nosniff stops browsers from running a response as another type.
    reply.header('x-content-type-options', 'nosniff')
    // While shutting down, in-flight responses end their connection, so `close` needn't wait for
    // keep-alive connections to time out.
    if (closing) reply.header('connection', 'close')
    // Every 503 (a backend down, throttling or too slow) says when to try again (RFC 9110 §10.2.3).
    if (reply.statusCode === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', RETRY_AFTER)
    done(null, payload)
  })
  app.addHook('onResponse', (request, reply, done) => {
    logRequest(request, reply)
    countRequest(ctx, request, reply)
    done()
  })
}
