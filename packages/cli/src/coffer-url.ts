/** A parsed `coffer://BUCKET[/KEY]` address. */
export interface CofferUrl {
  bucket: string
  /** The key or prefix, decoded; empty for the bucket itself. */
  key: string
}

/** Whether an argument names a Coffer object (`coffer://…`) rather than a local path. */
export function isCofferUrl(text: string): boolean {
  return text.startsWith('coffer://')
}

/** Parses `coffer://BUCKET[/KEY]`; throws a usage error when the address has no bucket. */
export function parseCofferUrl(text: string): CofferUrl {
  if (!isCofferUrl(text)) throw new UsageError(`not a coffer:// address: ${text}`)
  const rest = text.slice('coffer://'.length)
  const slash = rest.indexOf('/')
  const bucket = slash === -1 ? rest : rest.slice(0, slash)
  if (bucket === '') throw new UsageError(`no bucket in ${text}`)
  return { bucket, key: slash === -1 ? '' : rest.slice(slash + 1) }
}

/** A mistake in the command line: exit code 1. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** The `coffer://` address of an object, for messages. */
export function formatCofferUrl(ref: CofferUrl): string {
  return `coffer://${ref.bucket}/${ref.key}`
}
