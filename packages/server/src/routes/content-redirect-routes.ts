import type { AppContext } from '../http/app-context.ts'
import type { App } from '../http/typed-app.ts'

const tags = ['access without credentials']
const description =
  'User bytes are served from the content origin (COFFER_CONTENT_URL), which holds no credentials. ' +
  'On the API origin this path answers 308 to the same path and query there: links handed out ' +
  'before keep working, and a signed PUT is sent again with its method and body.'

/**
 * `/public/*`, `/signed/*`, `/render/*` and `/render-signed/*` on the API origin: `308 Permanent Redirect` to the same path and query on
 * the content origin. 308, not 301: clients keep the method and the body (RFC 9110 §15.4.9). Register
 * in a raw-body scope: the body of a redirected PUT is left unread (Node discards it).
 */
export function contentRedirectRoutes(app: App, ctx: AppContext): void {
  for (const prefix of ['/public', '/signed', '/render', '/render-signed']) {
    app.route({
      method: ['GET', 'HEAD', 'PUT'],
      url: `${prefix}/:bucket/*`,
      schema: { tags, summary: `Moved to the content origin (${prefix})`, description },
      handler: (request, reply) => reply.redirect(ctx.contentUrl() + request.url, 308),
    })
  }
}
