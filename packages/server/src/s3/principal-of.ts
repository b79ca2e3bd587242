import type { Principal } from '../domain/auth/scopes.ts'
import type { AppContext } from '../http/app-context.ts'
import { S3Error } from './s3-error.ts'

/**
 * The API key behind an access key id whose signature held, as a principal with the key's scopes;
 * the key is noted as used.
 */
export async function principalOf(ctx: AppContext, accessKeyId: string): Promise<Principal> {
  const identity = await ctx.s3Credentials.find(accessKeyId)
  if (identity === undefined)
    throw new S3Error(
      'InvalidAccessKeyId',
      'The AWS access key Id you provided does not exist in our records.',
    )
  ctx.keys.noteUse(identity.key.id)
  const principal: Principal = { kind: 'key', id: identity.key.id, scopes: identity.key.scopes }
  if (identity.key.expiresAt !== undefined) principal.expiresAt = Date.parse(identity.key.expiresAt)
  return principal
}
