import { useState } from 'react'
import type { CofferClient } from '../api/coffer-client.ts'
import { ActionForm, Modal } from './modal.tsx'
import { TypedName } from './typed-name.tsx'

/**
 * Deletes an empty bucket (admins), once its name is typed: the name may be taken again by someone
 * else, and its policy, usage and share links go with it. The server refuses a bucket with files.
 */
export function BucketDeleteDialog(props: {
  client: CofferClient
  bucket: string
  onClose: () => void
  onDeleted: () => void
}) {
  const { bucket } = props
  const [typed, setTyped] = useState('')
  return (
    <Modal title={`Delete ${bucket}?`} onClose={props.onClose}>
      <ActionForm
        submit="Delete bucket"
        danger
        disabled={typed.trim() !== bucket}
        onCancel={props.onClose}
        onSubmit={async () => {
          await props.client.buckets.delete(bucket)
          props.onDeleted()
        }}
      >
        <p>The bucket is empty. Its policy and its share links go with it; this cannot be undone.</p>
        <TypedName name={bucket} value={typed} onChange={setTyped} />
      </ActionForm>
    </Modal>
  )
}
