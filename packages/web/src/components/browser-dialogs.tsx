import type { CofferClient } from '../api/coffer-client.ts'
import { deleteEntries, renameEntry, renameTarget } from '../lib/object-actions.ts'
import { ConfirmDialog } from './modal.tsx'
import { NameDialog } from './name-dialog.tsx'
import { ShareDialog } from './share-dialog.tsx'

/** The dialog the browser shows, if any. */
export type BrowserDialog =
  | { kind: 'delete'; keys: string[] }
  | { kind: 'rename'; key: string }
  | { kind: 'share'; key: string }
  | { kind: 'folder' }

function deleteMessage(keys: readonly string[]): string {
  if (keys.length === 1) {
    const key = keys[0] ?? ''
    return `Delete ${key}${key.endsWith('/') ? ' and everything in it' : ''}? This cannot be undone.`
  }
  return `Delete these ${keys.length} items (folders with everything in them)? This cannot be undone.`
}

/** Delete, rename or move, new folder and share, for the folder `prefix` of a bucket. */
export function BrowserDialogs(props: {
  client: CofferClient
  bucket: string
  prefix: string
  isPublic: boolean
  dialog: BrowserDialog | undefined
  onClose: () => void
  /** After a change to the listing: the keys deleted or moved away, if any. */
  onChanged: (gone: readonly string[]) => void
}) {
  const { client, bucket, prefix, dialog, onClose } = props
  switch (dialog?.kind) {
    case 'delete':
      return (
        <ConfirmDialog
          title="Delete"
          confirm="Delete"
          message={deleteMessage(dialog.keys)}
          onClose={onClose}
          onConfirm={async () => {
            await deleteEntries(client, bucket, dialog.keys)
            props.onChanged(dialog.keys)
          }}
        />
      )
    case 'rename':
      return (
        <NameDialog
          title="Rename or move"
          label="New name (a path with / moves it from the bucket's root)"
          initial={dialog.key.slice(prefix.length).replace(/\/$/, '')}
          submit="Rename"
          onClose={onClose}
          onSubmit={async (value) => {
            await renameEntry(client, bucket, dialog.key, renameTarget(dialog.key, value))
            props.onChanged([dialog.key])
          }}
        />
      )
    case 'folder':
      return (
        <NameDialog
          title="New folder"
          label="Folder name"
          initial=""
          submit="Create"
          onClose={onClose}
          onSubmit={async (value) => {
            const name = value.trim().replace(/^\/+|\/+$/g, '')
            await client.putEmpty(bucket, `${prefix}${name}/`)
            props.onChanged([])
          }}
        />
      )
    case 'share':
      return (
        <ShareDialog
          client={client}
          bucket={bucket}
          isPublic={props.isPublic}
          objectKey={dialog.key}
          onClose={onClose}
        />
      )
    default:
      return null
  }
}
