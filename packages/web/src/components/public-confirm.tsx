import { useEffect, useState } from 'react'
import { bucketUsage, type CofferClient, contentOrigin } from '../api/coffer-client.ts'
import type { Usage } from '../api/types.ts'
import { formatBytes } from '../lib/format.ts'
import { ActionForm, Modal } from './modal.tsx'
import { TypedName } from './typed-name.tsx'

/** What becomes readable, in words: `23 files (4.2 MB)`, or every file when the usage is unknown. */
export function exposureText(usage: Usage | undefined): string {
  if (usage === undefined) return 'every file in it'
  const files = `${usage.objects.toLocaleString()} file${usage.objects === 1 ? '' : 's'}`
  return `all ${files} (${formatBytes(usage.bytes)}) in it`
}

/**
 * Confirms making a private bucket public: says how many files and bytes anyone will be able to read,
 * and asks for the bucket's name, as GitHub does before making a repository public.
 */
export function PublicConfirm(props: {
  client: CofferClient
  bucket: string
  onConfirm: () => Promise<void>
  onClose: () => void
}) {
  const { client, bucket } = props
  const [usage, setUsage] = useState<Usage | undefined | 'loading'>('loading')
  const [typed, setTyped] = useState('')
  useEffect(() => {
    let live = true
    bucketUsage(client, bucket).then(
      (u) => live && setUsage(u),
      () => live && setUsage(undefined),
    )
    return () => {
      live = false
    }
  }, [client, bucket])
  const confirmed = typed.trim() === bucket && usage !== 'loading'
  return (
    <Modal title={`Make ${bucket} public?`} onClose={props.onClose}>
      <ActionForm
        submit="Make public"
        danger
        disabled={!confirmed}
        onSubmit={props.onConfirm}
        onCancel={props.onClose}
      >
        <p aria-busy={usage === 'loading'}>
          {usage === 'loading'
            ? 'Counting the files in it…'
            : `Anyone with a link will be able to read ${exposureText(usage)}, at ${contentOrigin()}/public/${bucket}/, without a key.`}
        </p>
        <TypedName name={bucket} value={typed} onChange={setTyped} />
      </ActionForm>
    </Modal>
  )
}
