import { createHmac } from 'node:crypto'
import { type NormalizedKey, normalizeKey, type SignedGrant, StorageError, UrlSigner } from '@coffer/core'
import { canonicalTransform, parseTransform, type Transform } from '@coffer/images'

/** The path segment of the identity transform, which has no canonical text of its own. */
const IDENTITY = '_'

/** A verified signed render URL: which object, which transform, and the grant behind it. */
export interface RenderGrant {
  bucket: string
  key: NormalizedKey
  transform: Transform
  grant: SignedGrant
}

/**
 * Signed render URLs: `<base>/<transform>/<bucket>/<key>?X-Coffer-…`. The canonical transform is
 * part of the signed path, so changing any parameter (`w=200` to `w=4000`) breaks the signature.
 * Signed with a key derived from the service's signing secret, so that a render URL can never be
 * replayed as a plain signed download, nor the other way round.
 */
export class RenderSigner {
  readonly #signer: UrlSigner

  constructor(secret: string, base: () => string) {
    const derived = createHmac('sha256', secret).update('coffer-render-urls-v1').digest()
    this.#signer = new UrlSigner(derived, base)
  }

  /** A GET URL for the render of `bucket`/`key`, bound to `issuer` until `expiresIn` seconds pass. */
  sign(
    bucket: string,
    key: string,
    transform: Transform,
    opts: { expiresIn: number; issuer: string },
  ): string {
    const path = `${canonicalTransform(transform) || IDENTITY}/${bucket}/${key}`
    return this.#signer.sign(path, { method: 'GET', expiresIn: opts.expiresIn, issuer: opts.issuer })
  }

  /**
   * Checks a request's path below the base (`<transform>/<bucket>/<key>`, decoded) and query.
   * Throws `AccessDenied` for a tampered, expired or malformed URL; the caller checks the issuer.
   */
  verify(path: string, method: string, query: URLSearchParams): RenderGrant {
    const grant = this.#signer.verify(path, method, query)
    const [spec = '', bucket = '', ...rest] = grant.key.split('/')
    const key = rest.join('/')
    if (bucket === '' || key === '') throw new StorageError('AccessDenied', 'signed URL refused: no object')
    return { bucket, key: normalizeKey(key), transform: parseTransform(spec === IDENTITY ? '' : spec), grant }
  }
}
