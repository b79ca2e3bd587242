import type { Whoami } from '../api/types.ts'

/**
 * Whether the credential may make or manage share links anywhere in `bucket` (sign or admin under
 * some prefix), so that the Shared links page is offered only to those it lists anything for.
 * Without whoami (an older server) it is offered, and the server decides.
 */
export function sharesIn(who: Whoami | undefined, bucket: string): boolean {
  if (who === undefined) return true
  return who.scopes.some(
    (scope) =>
      (scope.bucket === '*' || scope.bucket === bucket) &&
      (scope.permissions.includes('sign') || scope.permissions.includes('admin')),
  )
}
