import { createHash, createHmac } from 'node:crypto'
import { type SignedGrant, StorageError, UrlSigner } from '@coffer/core'

/** What a zip link downloads: keys and folders (`…/`) of one bucket, named below `base`. */
export interface ZipSelection {
  /** Object keys and folder prefixes (ending in `/`), as the caller selected them. */
  keys: string[]
  /** The folder the names in the archive are relative to (`photos/2024/`; `''` for the root). */
  base: string
}

/** A verified zip link: the bucket, the selection, and the grant (issuer, expiry) behind it. */
export interface ZipGrant {
  bucket: string
  selection: ZipSelection
  grant: SignedGrant
}

/** The query parameter that carries the selection; the signed path holds its digest. */
const SELECTION = 's'

const digestOf = (text: string) => createHash('sha256').update(text).digest('base64url')

function refused(why: string): never {
  throw new StorageError('AccessDenied', `zip link refused: ${why}`)
}

/**
 * Signed links that download a selection as a zip (`/v1/zip/<bucket>/<digest>?s=…&X-Coffer-…`). A
 * browser downloads to disk only what it navigates to, and a navigation carries no bearer token, so
 * the UI asks for a short link with its key and then opens it. The selection rides in the query and
 * its SHA-256 is in the signed path, so no part of it can change. Signed with a key derived from the
 * service's secret for this purpose only, so a zip link is never a signed download or a render URL.
 */
export class ZipLinks {
  readonly #signer: UrlSigner

  constructor(secret: string, base = '/v1/zip') {
    const derived = createHmac('sha256', secret).update('coffer-zip-links-v1').digest()
    this.#signer = new UrlSigner(derived, base)
  }

  /** A GET link for `selection` of `bucket`, bound to `issuer` for `expiresIn` seconds. */
  sign(
    bucket: string,
    selection: ZipSelection,
    opts: { expiresIn: number; issuer: string; fileName: string },
  ): string {
    const text = JSON.stringify({ k: selection.keys, b: selection.base })
    const disposition = `attachment; filename*=UTF-8''${encodeURIComponent(opts.fileName)}`
    const url = this.#signer.sign(`${bucket}/${digestOf(text)}`, {
      method: 'GET',
      expiresIn: opts.expiresIn,
      issuer: opts.issuer,
      contentDisposition: disposition,
    })
    return `${url}&${new URLSearchParams({ [SELECTION]: text })}`
  }

  /** Checks a link's path (`<bucket>/<digest>`) and query; `AccessDenied` when anything is off. */
  verify(path: string, query: URLSearchParams): ZipGrant {
    const grant = this.#signer.verify(path, 'GET', query)
    const slash = grant.key.lastIndexOf('/')
    const text = query.get(SELECTION) ?? ''
    if (slash < 1 || digestOf(text) !== grant.key.slice(slash + 1)) refused('the selection was changed')
    const parsed = JSON.parse(text) as { k?: unknown; b?: unknown }
    if (!Array.isArray(parsed.k) || typeof parsed.b !== 'string') refused('it has no selection')
    const keys = parsed.k.filter((k): k is string => typeof k === 'string')
    return { bucket: grant.key.slice(0, slash), selection: { keys, base: parsed.b }, grant }
  }
}
