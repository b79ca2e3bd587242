import { S3Error } from './s3-error.ts'

/** One condition of a POST policy, its field name in lower case (form field names are). */
export type PolicyCondition =
  | { readonly kind: 'eq' | 'starts-with'; readonly field: string; readonly value: string }
  | { readonly kind: 'content-length-range'; readonly min: number; readonly max: number }

/** A POST policy: when it expires and what the form must satisfy. */
export interface PostPolicy {
  readonly expiration: Date
  readonly conditions: readonly PolicyCondition[]
}

/** The largest policy read, base64: S3 limits the fields before the file to 20 KiB in all. */
export const MAX_POLICY_BYTES = 20 * 1024

const invalidPolicy = (why: string) => new S3Error('InvalidPolicyDocument', `Invalid Policy: ${why}`)

function fieldOf(name: unknown): string {
  if (typeof name !== 'string' || !name.startsWith('$') || name.length < 2)
    throw invalidPolicy('a condition names its field as "$name"')
  return name.slice(1).toLowerCase()
}

function lengthOf(value: unknown): number {
  const number = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0)
    throw invalidPolicy('content-length-range takes two whole numbers of bytes')
  return number
}

function conditionOf(item: unknown): PolicyCondition[] {
  if (Array.isArray(item)) {
    const [operator, first, second] = item as unknown[]
    if (item.length !== 3) throw invalidPolicy('a condition array has three elements')
    if (typeof operator === 'string' && operator.toLowerCase() === 'content-length-range') {
      const [min, max] = [lengthOf(first), lengthOf(second)]
      if (min > max) throw invalidPolicy('content-length-range: the minimum is above the maximum')
      return [{ kind: 'content-length-range', min, max }]
    }
    const kind = typeof operator === 'string' ? operator.toLowerCase() : ''
    if ((kind !== 'eq' && kind !== 'starts-with') || typeof second !== 'string')
      throw invalidPolicy('a condition is ["eq" | "starts-with", "$field", "value"] or content-length-range')
    return [{ kind, field: fieldOf(first), value: second }]
  }
  if (typeof item !== 'object' || item === null) throw invalidPolicy('a condition is an object or an array')
  const entries = Object.entries(item)
  // S3 wants one property per object; several are read as as many conditions, none is no condition.
  if (entries.length === 0)
    throw invalidPolicy(
      'Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.',
    )
  return entries.map(([name, value]) => {
    if (typeof value !== 'string') throw invalidPolicy(`the condition on ${name} must be a string`)
    return { kind: 'eq', field: name.toLowerCase(), value }
  })
}

/** Decodes a POST policy (base64 of a JSON document with `expiration` and `conditions`). */
export function parsePostPolicy(base64: string): PostPolicy {
  if (base64.length > MAX_POLICY_BYTES) throw invalidPolicy('the policy is too large')
  let document: unknown
  try {
    document = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'))
  } catch (error) {
    throw new S3Error('InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.', { cause: error })
  }
  const { expiration, conditions } = (document ?? {}) as { expiration?: unknown; conditions?: unknown }
  const expires = typeof expiration === 'string' ? new Date(expiration) : undefined
  if (expires === undefined || Number.isNaN(expires.getTime()))
    throw invalidPolicy('Policy missing expiration or it is not an ISO 8601 time.')
  if (!Array.isArray(conditions)) throw invalidPolicy('Policy missing conditions.')
  return { expiration: expires, conditions: conditions.flatMap(conditionOf) }
}

/** Fields no condition needs to name (per the S3 API reference, "Creating a POST policy"). */
function exempt(field: string): boolean {
  return (
    field === 'policy' || field === 'x-amz-signature' || field === 'file' || field.startsWith('x-ignore-')
  )
}

const failed = (condition: PolicyCondition) =>
  new S3Error(
    'AccessDenied',
    `Invalid according to Policy: Policy Condition failed: ${JSON.stringify(
      condition.kind === 'content-length-range'
        ? [condition.kind, condition.min, condition.max]
        : [condition.kind, `$${condition.field}`, condition.value],
    )}`,
  )

/**
 * Checks a form against its policy at `now`: not expired, every condition met by the fields as
 * sent (`bucket` is the request's), and every field but the exempt ones named by a condition. A
 * condition on `key` holds for the key as sent or as it will be named (`${filename}` put in, given as
 * `key`): `["starts-with", "$key", "uploads/"]` admits the field `${filename}` for a file
 * `uploads/a.txt` as it admits `uploads/${filename}`, for the object's key starts so either way. Returns the byte range the file must be in, if the policy sets
 * one; the caller enforces it as the file streams. Failures are `AccessDenied`, as on S3.
 */
export function checkPostPolicy(
  policy: PostPolicy,
  fields: ReadonlyMap<string, string>,
  bucket: string,
  now: number,
  key?: string,
): { min: number; max: number } | undefined {
  if (policy.expiration.getTime() <= now)
    throw new S3Error('AccessDenied', 'Invalid according to Policy: Policy expired.')
  const fieldValue = (field: string) => (field === 'bucket' ? bucket : fields.get(field))
  let range: { min: number; max: number } | undefined
  const named = new Set<string>()
  for (const condition of policy.conditions) {
    if (condition.kind === 'content-length-range') {
      range = { min: condition.min, max: condition.max }
      continue
    }
    named.add(condition.field)
    const sent = fieldValue(condition.field)
    const values = condition.field === 'key' && key !== undefined ? [sent, key] : [sent]
    const holds = values.some(
      (value) =>
        value !== undefined &&
        (condition.kind === 'eq' ? value === condition.value : value.startsWith(condition.value)),
    )
    if (!holds) throw failed(condition)
  }
  const extra = [...fields.keys()].filter((field) => !exempt(field) && !named.has(field))
  if (extra.length > 0)
    throw new S3Error('AccessDenied', `Invalid according to Policy: Extra input fields: ${extra.join(', ')}`)
  return range
}
