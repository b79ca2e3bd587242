import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger, LogController } from 'fastify'
import type { AppContext } from '../http/app-context.ts'
import { contentScope, registerCors } from '../http/cors.ts'
import { clientErrorHandler, registerErrorHandling } from '../http/error-handling.ts'
import { frameworkErrors } from '../http/protocol-errors.ts'
import { registerResponseHooks } from '../http/response-hooks.ts'
import type { App } from '../http/typed-app.ts'
import { accessRoutes } from '../routes/access-routes.ts'
import { healthRoutes } from '../routes/health-routes.ts'
import { renderAccessRoutes } from '../routes/render-access-routes.ts'
import { shareAccessRoutes } from '../routes/share-access-routes.ts'
import { siteServingRoutes } from '../routes/site-serving-routes.ts'

/**
 * The content origin: the listener that serves user bytes (`/public/<bucket>/<key>`,
 * `/signed/<bucket>/<key>`), on an origin of its own (COFFER_CONTENT_URL, port 7374 by default).
 * It holds no credentials: no `/v1`, no web UI, no cookies, no Authorization header is read. So a
 * tenant's file that a browser renders here (a PDF, an image, an HTML page an older type check let
 * through) runs beside nothing worth stealing, while the UI's key stays on the API origin. Shares
 * the API app's context (storage, index, signer, metrics) and its logger.
 */
export async function createContentApp(ctx: AppContext, logger: FastifyBaseLogger): Promise<App> {
  const app: App = Fastify({
    loggerInstance: logger.child({ origin: 'content' }),
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    routerOptions: { maxParamLength: 4096 },
    clientErrorHandler,
    frameworkErrors,
    // Node answers a request without Host with an empty 400; `answerProtocolErrors` does instead.
    http: { requireHostHeader: false },
  }).withTypeProvider<TypeBoxTypeProvider>()
  registerErrorHandling(app)
  await registerCors(app, (path) => contentScope(ctx.cors, path))
  registerResponseHooks(app, ctx)
  // Before every route: a site's host is the site's alone.
  siteServingRoutes(app, ctx)
  // Load balancers probe each host name.
  healthRoutes(app, ctx)
  renderAccessRoutes(app, ctx)
  shareAccessRoutes(app, ctx)
  await app.register(async (scope) => {
    // A signed PUT's body is the object: streamed to the storage, never parsed.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null))
    accessRoutes(scope.withTypeProvider<TypeBoxTypeProvider>(), ctx)
  })
  return app
}
