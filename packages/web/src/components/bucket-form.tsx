import type { BucketPolicy } from '@coffer/client'
import { useState } from 'react'
import { type CofferClient, contentOrigin } from '../api/coffer-client.ts'
import type { Bucket, PolicyInput } from '../api/types.ts'
import { formatBytes, parseBytes } from '../lib/format.ts'
import { ActionForm, Modal } from './modal.tsx'
import { OptionSelect } from './option-select.tsx'
import { PublicConfirm } from './public-confirm.tsx'

/** Longest share links a bucket may allow ('' is the service's default). */
const SHARE_LIMITS = [
  { label: '7 days (default)', value: '' },
  { label: '1 day', value: String(86_400) },
  { label: '30 days', value: String(30 * 86_400) },
  { label: '90 days', value: String(90 * 86_400) },
  { label: '1 year', value: String(365 * 86_400) },
]

/** The text of a size field for a limit (`5 MB`), empty when there is none. */
function sizeText(bytes: number | undefined): string {
  return bytes === undefined ? '' : formatBytes(bytes).replace(/ B$/, '')
}

/** The policy form's fields, as typed. */
export interface PolicyFields {
  public: boolean
  maxFileSize: string
  allowedTypes: string
  quotaBytes: string
  quotaObjects: string
  /** Seconds, or '' for the service's default (7 days); absent: not touched, never sent. */
  maxShareSeconds?: string
}

/**
 * The policy a form's fields stand for. An empty field clears its limit (null) when editing, and is
 * left out when creating; `quotaObjects` is sent only when set, for servers that do not know it yet.
 */
export function policyOf(fields: PolicyFields, editing: boolean): PolicyInput {
  const policy: PolicyInput = { public: fields.public }
  const size = (text: string, name: string) => {
    if (text.trim() === '') return editing ? null : undefined
    const bytes = parseBytes(text)
    if (bytes === undefined) throw new Error(`${name}: write a size such as 5 MB, 200 KB or 1 GB`)
    return bytes
  }
  const max = size(fields.maxFileSize, 'Largest file')
  if (max !== undefined) policy.maxFileSize = max
  const quota = size(fields.quotaBytes, 'Quota')
  if (quota !== undefined) policy.quotaBytes = quota
  const types = fields.allowedTypes
    .split(/[\s,]+/)
    .map((t) => t.trim())
    .filter((t) => t !== '')
  if (types.length > 0) policy.allowedTypes = types
  else if (editing) policy.allowedTypes = null
  if (fields.quotaObjects.trim() !== '') {
    const count = Number(fields.quotaObjects)
    if (!Number.isInteger(count) || count < 0) throw new Error('Object quota: write a whole number')
    policy.quotaObjects = count
  }
  // Sent only when it says something, for servers that do not know share links yet.
  if (fields.maxShareSeconds !== undefined && fields.maxShareSeconds !== '') {
    policy.maxShareSeconds = Number(fields.maxShareSeconds)
  } else if (editing && fields.maxShareSeconds === '') policy.maxShareSeconds = null
  return policy
}

/** A new bucket's policy: a create has no limit to clear, so a null (which only an edit makes) goes. */
function withoutNulls(policy: PolicyInput): BucketPolicy {
  return Object.fromEntries(Object.entries(policy).filter(([, value]) => value !== null)) as BucketPolicy
}

/** Create a bucket, or edit a bucket's policy (admins). */
export function BucketForm(props: {
  client: CofferClient
  bucket?: Bucket
  onDone: (bucket: Bucket) => void
  onClose: () => void
}) {
  const b = props.bucket
  const [name, setName] = useState(b?.name ?? '')
  const [fields, setFields] = useState<PolicyFields>({
    public: b?.public ?? false,
    maxFileSize: sizeText(b?.maxFileSize),
    allowedTypes: b?.allowedTypes?.join(', ') ?? '',
    quotaBytes: sizeText(b?.quotaBytes),
    quotaObjects: b?.quotaObjects?.toString() ?? '',
    // Left out (so never sent) unless the bucket has one or the field is changed.
    ...(b?.maxShareSeconds === undefined ? {} : { maxShareSeconds: String(b.maxShareSeconds) }),
  })
  const set = (patch: Partial<typeof fields>) => setFields({ ...fields, ...patch })
  // Making a private bucket public asks again, in a dialog of its own; Cancel comes back here.
  const [confirming, setConfirming] = useState<PolicyInput | undefined>()
  if (b && confirming)
    return (
      <PublicConfirm
        client={props.client}
        bucket={b.name}
        onClose={() => setConfirming(undefined)}
        onConfirm={async () => props.onDone(await props.client.buckets.update(b.name, confirming))}
      />
    )
  return (
    <Modal title={b ? `Policy of ${b.name}` : 'New bucket'} onClose={props.onClose}>
      <ActionForm
        submit={b ? 'Save' : 'Create'}
        onCancel={props.onClose}
        onSubmit={async () => {
          const policy = policyOf(fields, b !== undefined)
          if (b && !b.public && policy.public) return setConfirming(policy)
          const saved = b
            ? await props.client.buckets.update(b.name, policy)
            : await props.client.buckets.create(name.trim(), withoutNulls(policy))
          props.onDone(saved)
        }}
      >
        <div className="fields">
          {b ? null : (
            <label>
              Name
              <input
                required
                value={name}
                pattern="[a-z0-9][a-z0-9\-]{1,61}[a-z0-9]"
                title="3 to 63 lowercase letters, digits and hyphens"
                onChange={(e) => setName(e.target.value)}
              />
            </label>
          )}
          <label className="check">
            <input
              type="checkbox"
              checked={fields.public}
              onChange={(e) => set({ public: e.target.checked })}
            />
            Public: anyone can read objects at {contentOrigin()}/public/{b?.name ?? (name || '…')}/
          </label>
          <label>
            Largest file
            <input
              placeholder="no limit"
              value={fields.maxFileSize}
              onChange={(e) => set({ maxFileSize: e.target.value })}
            />
          </label>
          <label>
            Allowed types
            <input
              placeholder="any type (e.g. image/*, application/pdf)"
              value={fields.allowedTypes}
              onChange={(e) => set({ allowedTypes: e.target.value })}
            />
          </label>
          <label>
            Quota (bytes)
            <input
              placeholder="no quota (e.g. 10 GB)"
              value={fields.quotaBytes}
              onChange={(e) => set({ quotaBytes: e.target.value })}
            />
          </label>
          <label>
            Quota (objects)
            <input
              inputMode="numeric"
              placeholder="no quota"
              value={fields.quotaObjects}
              onChange={(e) => set({ quotaObjects: e.target.value })}
            />
          </label>
          <OptionSelect
            label="Longest share link"
            value={fields.maxShareSeconds ?? ''}
            choices={SHARE_LIMITS}
            onChange={(value) => set({ maxShareSeconds: value })}
          />
        </div>
      </ActionForm>
    </Modal>
  )
}
