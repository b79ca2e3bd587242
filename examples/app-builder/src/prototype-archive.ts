import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import { pack } from 'tar-stream'

/** What the builder generated for a project: a title and its pages (path → HTML). */
export interface Prototype {
  title: string
  pages: Record<string, string>
}

/** Escapes text for HTML, so a project's title cannot inject markup into its own prototype. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** A generated two-page prototype for a project title, as a builder's code generator might write it. */
export function generatePrototype(title: string): Prototype {
  const safe = escapeHtml(title)
  const page = (heading: string, link: string) =>
    `<!doctype html><html><head><meta charset="utf-8"><title>${safe}</title></head>` +
    `<body><h1>${heading}</h1><a href="${link}">${link}</a></body></html>\n`
  return {
    title,
    pages: { 'index.html': page(safe, 'about.html'), 'about.html': page(`About ${safe}`, './') },
  }
}

/**
 * The prototype as a tar.gz stream, produced as it is read: the deploy sends it to Coffer without
 * writing it anywhere first.
 */
export function prototypeArchive(prototype: Prototype): Readable {
  const tar = pack()
  for (const [name, html] of Object.entries(prototype.pages)) tar.entry({ name }, html)
  tar.finalize()
  const gzip = createGzip()
  pipeline(tar, gzip).catch((error: unknown) => gzip.destroy(error as Error))
  return gzip
}
