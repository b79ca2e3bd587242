import { useState } from 'react'
import type { CofferClient } from '../api/coffer-client.ts'
import { baseName } from '../lib/format.ts'
import { existsAt, freeCopyName } from '../lib/keep-both.ts'
import { type Move, movesInto } from '../lib/move-plan.ts'
import { moveUnlessTaken, renameEntry } from '../lib/object-actions.ts'
import type { OnExisting } from '../upload/upload-queue.ts'
import { type ConflictChoice, ConflictDialog } from './conflict-dialog.tsx'
import { FolderPicker } from './folder-picker.tsx'
import { ActionForm, Modal } from './modal.tsx'

type Answer = Exclude<OnExisting, 'ask'> | 'cancel'

/**
 * Moves each entry, a taken name as answered: replaced, kept beside a numbered copy, or left alone.
 * Every move but a replace is create-only: the entries whose name was taken since the UI looked are
 * returned, to be asked about in turn.
 */
async function moveAll(
  client: CofferClient,
  bucket: string,
  moves: readonly Move[],
  answers: ReadonlyMap<string, Answer>,
): Promise<{ moved: string[]; taken: Move[] }> {
  const moved: string[] = []
  const taken: Move[] = []
  for (const move of moves) {
    const answer = answers.get(move.from)
    if (answer === 'cancel') continue
    if (answer === 'replace') {
      await renameEntry(client, bucket, move.from, move.to, { replace: true })
      moved.push(move.from)
      continue
    }
    const target = answer === 'keep-both' ? await freeCopyName(client, bucket, move.to) : move.to
    if (await moveUnlessTaken(client, bucket, move.from, target)) moved.push(move.from)
    else taken.push(move)
  }
  return { moved, taken }
}

/**
 * "Move to…" for the selected entries: a folder picker, then, for each name taken in the chosen
 * folder, the conflict dialog's Replace / Keep both / Cancel (Cancel leaves that entry where it is),
 * then the moves through the move API, create-only unless Replace was chosen.
 */
export function MoveDialog(props: {
  client: CofferClient
  bucket: string
  keys: readonly string[]
  /** The folder shown, where the picker starts. */
  prefix: string
  /** The top of what the credential may list. */
  root: string
  onClose: () => void
  /** After the moves: the keys moved away. */
  onMoved: (gone: readonly string[]) => void
}) {
  const { client, bucket } = props
  const [at, setAt] = useState(props.prefix)
  const [plan, setPlan] = useState<{ moves: Move[]; taken: Move[]; answers: Map<string, Answer> }>()
  /** Entries moved in earlier rounds, before a name taken meanwhile was asked about. */
  const [movedBefore, setMovedBefore] = useState<string[]>([])
  const finish = async (moves: Move[], answers: Map<string, Answer>) => {
    const { moved, taken } = await moveAll(client, bucket, moves, answers)
    const done = [...movedBefore, ...moved]
    if (taken.length === 0) return props.onMoved(done)
    setMovedBefore(done)
    setPlan({ moves: taken, taken, answers: new Map() })
  }
  const pending = plan?.taken.filter((m) => !plan.answers.has(m.from)) ?? []
  const next = pending[0]
  if (plan && next) {
    return (
      <ConflictDialog
        name={baseName(next.to)}
        folder={`${bucket}/${at}`}
        others={pending.length - 1}
        onChoose={async ({ choice, all }: ConflictChoice) => {
          const answer: Answer = choice === 'ask' ? 'cancel' : choice
          const answers = new Map(plan.answers)
          for (const move of all ? pending : [next]) answers.set(move.from, answer)
          if (answers.size === plan.taken.length) await finish(plan.moves, answers)
          else setPlan({ ...plan, answers })
        }}
      />
    )
  }
  const count = props.keys.length
  return (
    <Modal
      title={`Move ${count === 1 ? baseName(props.keys[0] ?? '') : `${count} items`} to…`}
      onClose={props.onClose}
    >
      <ActionForm
        submit="Move here"
        onCancel={props.onClose}
        onSubmit={async () => {
          const moves = movesInto(props.keys, at)
          // Look first, and ask for each taken name; the moves are create-only, so a name taken
          // after this look is asked about too (see moveAll).
          const taken: Move[] = []
          for (const move of moves) if (await existsAt(client, bucket, move.to)) taken.push(move)
          if (taken.length === 0) await finish(moves, new Map())
          else setPlan({ moves, taken, answers: new Map() })
        }}
      >
        <FolderPicker client={client} bucket={bucket} root={props.root} at={at} onAt={setAt} />
      </ActionForm>
    </Modal>
  )
}
