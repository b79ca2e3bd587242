import type { Deployed, SignedUrl, Site, SiteDeploys } from './api-types.ts'
import type { CallOptions, HttpTransport } from './http-transport.ts'
import { type ProgressListener, sizeOf, type UploadBody, uploadRequest } from './upload-body.ts'

/** How a deploy runs. */
export interface DeployOptions extends CallOptions {
  /** The archive's format: `zip` or `tar.gz` (`application/zip`, `application/gzip`). Default `tar.gz`. */
  format?: 'zip' | 'tar.gz' | undefined
  /** Make the deploy live at once (default), or only store it. */
  activate?: boolean | undefined
  /** The archive's size, when known (sent as `Content-Length`). */
  size?: number | undefined
  /** Called as the archive's bytes are sent. */
  onProgress?: ProgressListener | undefined
}

const sitePath = (site: string) => `/v1/sites/${encodeURIComponent(site)}`

/** Prototype sites: each on its own origin, deployed from archives, switched atomically. */
export class SitesApi {
  readonly #transport: HttpTransport
  constructor(transport: HttpTransport) {
    this.#transport = transport
  }

  /**
   * Deploys a zip or tar.gz archive, streamed, as a new immutable deploy of `site`; the site's URL is
   * in the answer. A bad archive (traversal, links, too large) is refused whole and stores nothing.
   */
  deploy(site: string, archive: UploadBody, options: DeployOptions = {}): Promise<Deployed> {
    const type = options.format === 'zip' ? 'application/zip' : 'application/gzip'
    const headers: Record<string, string> = { 'content-type': type }
    const size = options.size ?? sizeOf(archive)
    if (size !== undefined) headers['content-length'] = String(size)
    return this.#transport.json({
      method: 'POST',
      path: `${sitePath(site)}/deploys`,
      query: { activate: options.activate },
      headers,
      ...uploadRequest(archive, options.onProgress),
      transfer: true,
      signal: options.signal,
      timeout: options.timeout,
    })
  }

  /**
   * A new deploy copied by the service from the objects under `prefix` (a folder) of `bucket`:
   * nothing passes through the caller. Needs read and list on the folder.
   */
  deployFromBucket(
    site: string,
    source: { bucket: string; prefix: string },
    options: CallOptions & { activate?: boolean } = {},
  ): Promise<Deployed> {
    const { activate, ...call } = options
    return this.#transport.json({
      method: 'POST',
      path: `${sitePath(site)}/deploys`,
      query: { activate },
      json: source,
      ...call,
    })
  }

  /** The sites whose deploys the credential may list, by name. */
  async list(options: CallOptions = {}): Promise<Site[]> {
    const { sites } = await this.#transport.json<{ sites: Site[] }>({ path: '/v1/sites', ...options })
    return sites
  }

  /** A site with its deploys; throws `NotFound`. */
  get(site: string, options: CallOptions = {}): Promise<SiteDeploys> {
    return this.#transport.json({ path: sitePath(site), ...options })
  }

  /** Switches the live deploy (a rollback is a switch back), or the site's visibility. */
  update(
    site: string,
    patch: { current?: string; public?: boolean },
    options: CallOptions = {},
  ): Promise<Site> {
    return this.#transport.json({ method: 'PATCH', path: sitePath(site), json: patch, ...options })
  }

  /** Deletes a deploy that is not live. */
  async deleteDeploy(site: string, id: string, options: CallOptions = {}): Promise<void> {
    await this.#transport.send({
      method: 'DELETE',
      path: `${sitePath(site)}/deploys/${encodeURIComponent(id)}`,
      ...options,
    })
  }

  /** A preview link that opens a private site for whoever holds it, until it expires. */
  preview(site: string, expiresIn?: number, options: CallOptions = {}): Promise<SignedUrl> {
    const json = expiresIn === undefined ? {} : { expiresIn }
    return this.#transport.json({ method: 'POST', path: `${sitePath(site)}/preview`, json, ...options })
  }
}
