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
  'h1{font-size:1.4rem;margin:0 0 .5rem;overflow-wrap:anywhere}p{margin:0 0 .25rem;color:#555}' +
  'a.button{display:inline-block;margin-top:1rem;padding:.5rem 1.25rem;border-radius:6px;' +
  'background:#1f5fcc;color:#fff;text-decoration:none;font-weight:600}' +
  '@media (prefers-color-scheme:dark){body{background:#1b1b1a;color:#eee}p{color:#bbb}}'

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Text made safe for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] as string)
}

/** What a page says: a title, a few lines, and at most one link (shown as a button). */
export interface PageContent {
  title: string
  lines: string[]
  link?: { href: string; text: string }
}

/**
 * Sends a small page for people under `PAGE_CSP`, never cached. Every piece of text is escaped,
 * whoever chose it, so a file name or key name shown in it can never become markup.
 */
export function sendPage(reply: FastifyReply, status: number, page: PageContent): FastifyReply {
  const title = escapeHtml(page.title)
  const lines = page.lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('')
  const link =
    page.link === undefined
      ? ''
      : `<a class="button" href="${escapeHtml(page.link.href)}">${escapeHtml(page.link.text)}</a>`
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<meta name="referrer" content="no-referrer"><title>${title}</title><style>${STYLE}</style></head>` +
    `<body><main><h1>${title}</h1>${lines}${link}</main></body></html>`
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', PAGE_CSP)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('vary', 'accept')
    .send(html)
}
