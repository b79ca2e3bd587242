import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * The policy of Coffer's own small pages: nothing may load or run (no script at all), the inline
 * style is the only style, no form, no base, and no other page may frame it.
 */
export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/** Whether the request is a browser's navigation (it prefers HTML), not an API client's. */
export function wantsHtml(request: FastifyRequest): boolean {
  return /\btext\/html\b/i.test(request.headers.accept ?? '')
}

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;' +
  'background:#f6f6f4;color:#222}main{max-width:28rem;padding:2rem;text-align:center}' +
  'h1{font-size:1.4rem;margin:0 0 .5rem}p{margin:0;color:#555}' +
  '@media (prefers-color-scheme:dark){body{background:#1b1b1a;color:#eee}p{color:#bbb}}'

/**
 * Sends a small page for people: a title and a sentence, both fixed text chosen by the caller (never
 * user content, so nothing needs escaping), under `PAGE_CSP`, never cached.
 */
export function sendPage(reply: FastifyReply, status: number, title: string, sentence: string): FastifyReply {
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<meta name="referrer" content="no-referrer"><title>${title}</title><style>${STYLE}</style></head>` +
    `<body><main><h1>${title}</h1><p>${sentence}</p></main></body></html>`
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', PAGE_CSP)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('vary', 'accept')
    .send(html)
}
