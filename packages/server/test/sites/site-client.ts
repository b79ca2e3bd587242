import { request } from 'node:http'
import { buffer } from 'node:stream/consumers'

/** An answer of a site, read whole (test pages are small). */
export interface SiteAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  /** The body's bytes as sent (still compressed when a Content-Encoding was used). */
  bytes: Buffer
}

/**
 * A GET (or HEAD) to a site on the content origin listening at `contentUrl`, with the Host a browser
 * sends for `<site>.sites.localhost`: `fetch` cannot set Host, and the test machine's resolver may
 * not map `*.localhost` to loopback as browsers do.
 */
export function siteGet(
  contentUrl: string,
  site: string,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<SiteAnswer> {
  const { hostname, port } = new URL(contentUrl)
  const host = `${site}.sites.localhost:${port}`
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method, headers: { ...headers, host } }, (res) => {
      buffer(res).then(
        (body) =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: body.toString(), bytes: body }),
        reject,
      )
    })
    req.on('error', reject)
    req.end()
  })
}
