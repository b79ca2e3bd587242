import type { CofferClient } from '../api/coffer-client.ts'
import { baseName } from '../lib/format.ts'
import { existsAt, freeCopyName } from '../lib/keep-both.ts'
import { deleteEntries, moveUnlessTaken, renameEntry, renameTarget } from '../lib/object-actions.ts'
import { ConflictDialog } from './conflict-dialog.tsx'
import { ConfirmDialog } from './modal.tsx'
import { MoveDialog } from './move-dialog.tsx'
import { NameDialog } from './name-dialog.tsx'
import { ShareDialog } from './share-dialog.tsx'

/** The dialog the browser shows, if any. */
export type BrowserDialog =
  | { kind: 'delete'; keys: string[] }
  | { kind: 'rename'; key: string }
  | { kind: 'taken'; from: string; to: string }
  | { kind: 'share'; key: string }
  | { kind: 'folder' }
  /** Move to…: `root` is the top of what the credential may list, where the picker stops. */
  | { kind: 'move'; keys: string[]; root: string }

function deleteMessage(keys: readonly string[]): string {
  if (keys.length === 1) {
    const key = keys[0] ?? ''
    return `Delete ${key}${key.endsWith('/') ? ' and everything in it' : ''}? This cannot be undone.`
  }
  return `Delete these ${keys.length} items (folders with everything in them)? This cannot be undone.`
}

/** The part of a name a person renames: the name without its extension (`notes` of `notes.txt`). */
export function stemRange(name: string): [number, number] {
  const dot = name.lastIndexOf('.')
  return [0, dot > 0 && !name.includes('/', dot) ? dot : name.length]
}

/** The folder a key is in, for people: `bucket/a/b/` (`bucket/` at the root). */
function folderOf(bucket: string, key: string): string {
  const path = key.endsWith('/') ? key.slice(0, -1) : key
  return `${bucket}/${path.slice(0, path.lastIndexOf('/') + 1)}`
}

/** Delete, rename or move, new folder and share, for the folder `prefix` of a bucket. */
export function BrowserDialogs(props: {
  client: CofferClient
  bucket: string
  prefix: string
  isPublic: boolean
  dialog: BrowserDialog | undefined
  onClose: () => void
  /** Another dialog follows this one (a taken name asks what to do). */
  onDialog: (dialog: BrowserDialog) => void
  /** Opens a folder (a new one opens once made). */
  onOpenFolder: (prefix: string) => void
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
    case 'rename': {
      // The name in its own folder (a search result may be in another folder than the one shown).
      const initial = baseName(dialog.key)
      return (
        <NameDialog
          title="Rename or move"
          label="New name (a path with / moves it from the bucket's root)"
          initial={initial}
          select={dialog.key.endsWith('/') ? [0, initial.length] : stemRange(initial)}
          submit="Rename"
          onClose={onClose}
          onSubmit={async (value) => {
            const to = renameTarget(dialog.key, value)
            const ask = () => props.onDialog({ kind: 'taken', from: dialog.key, to })
            // Looked at first, to ask before anything moves; the move itself is create-only, so a
            // name taken since the look is asked about the same way instead of being replaced.
            if (to !== dialog.key && (await existsAt(client, bucket, to))) return ask()
            if (await moveUnlessTaken(client, bucket, dialog.key, to)) props.onChanged([dialog.key])
            else ask()
          }}
        />
      )
    }
    case 'taken':
      return (
        <ConflictDialog
          name={baseName(dialog.to)}
          folder={folderOf(bucket, dialog.to)}
          onChoose={async ({ choice }) => {
            if (choice === 'cancel') return onClose()
            if (choice === 'replace') {
              await renameEntry(client, bucket, dialog.from, dialog.to, { replace: true })
            } else {
              const to = await freeCopyName(client, bucket, dialog.to)
              // The numbered name taken meanwhile: asked about in turn.
              if (!(await moveUnlessTaken(client, bucket, dialog.from, to)))
                return props.onDialog({ kind: 'taken', from: dialog.from, to })
            }
            props.onChanged([dialog.from])
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
            await client.objects.upload(bucket, `${prefix}${name}/`, new Uint8Array(0))
            props.onChanged([])
            props.onOpenFolder(`${prefix}${name}/`)
          }}
        />
      )
    case 'move':
      return (
        <MoveDialog
          client={client}
          bucket={bucket}
          keys={dialog.keys}
          prefix={prefix}
          root={dialog.root}
          onClose={onClose}
          onMoved={props.onChanged}
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
