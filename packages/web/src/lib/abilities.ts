import type { Scope, Whoami } from '../api/types.ts'

/** What a scope may allow (`read`, `list`, … `admin`). */
export type Permission = Scope['permissions'][number]

/** What the credential may do in one folder, for the buttons to show. */
export interface Abilities {
  /** Upload, new folder. */
  write: boolean
  delete: boolean
  /** Rename and move: read, write and delete. */
  move: boolean
  /** Signed links (Share). */
  sign: boolean
}

/** Everything: for a server without `/v1/whoami`, which then refuses what it refuses. */
export const ALL: Abilities = { write: true, delete: true, move: true, sign: true }

/**
 * Whether a scope covers a key or folder: its bucket (or `*`), and its prefix, a folder (`p1/`) or a
 * string prefix (`us*`), as the server reads them.
 */
function covers(scope: Scope, bucket: string, path: string): boolean {
  if (scope.bucket !== '*' && scope.bucket !== bucket) return false
  const prefix = scope.prefix ?? ''
  return path.startsWith(prefix.endsWith('*') ? prefix.slice(0, -1) : prefix)
}

/** Whether some scope grants `permission` (or `admin`) on `path` of `bucket`. */
export function allows(who: Whoami, bucket: string, path: string, permission: Permission): boolean {
  return who.scopes.some(
    (s) => covers(s, bucket, path) && (s.permissions.includes(permission) || s.permissions.includes('admin')),
  )
}

/** What the credential may do in the folder `prefix` of `bucket`. */
export function abilitiesIn(who: Whoami | undefined, bucket: string, prefix: string): Abilities {
  if (!who) return ALL
  const can = (permission: Permission) => allows(who, bucket, prefix, permission)
  return {
    write: can('write'),
    delete: can('delete'),
    move: can('read') && can('write') && can('delete'),
    sign: can('sign'),
  }
}

/** Whether the credential may change nothing anywhere (read, list or sign only). */
export function viewOnly(who: Whoami): boolean {
  return !who.scopes.some((s) =>
    (['write', 'delete', 'admin'] as const).some((p) => s.permissions.includes(p)),
  )
}

/**
 * Where a search of "the whole bucket" starts: the bucket's root when the credential may list it,
 * else the widest prefix it may list that holds the folder shown (a key for `p1/` searches `p1/`, as
 * the server refuses listings outside it), else the folder itself.
 */
export function searchRoot(who: Whoami | undefined, bucket: string, prefix: string): string {
  if (!who) return ''
  const roots = who.scopes
    .filter(
      (s) => covers(s, bucket, prefix) && (s.permissions.includes('list') || s.permissions.includes('admin')),
    )
    .map((s) => (s.prefix ?? '').replace(/\*$/, ''))
    .sort((a, b) => a.length - b.length)
  return roots[0] ?? prefix
}
