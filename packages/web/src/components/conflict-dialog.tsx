import { useState } from 'react'
import { messageOf } from '../api/people-words.ts'
import type { OnExisting } from '../upload/upload-queue.ts'
import { ErrorText, Modal } from './modal.tsx'

/** The person's answer to a taken name; `all`: the same for the other conflicts waiting. */
export type ConflictChoice = { choice: OnExisting | 'cancel'; all: boolean }

/**
 * Asks what to do when a name is taken: Replace (the other object is lost), Keep both (a numbered
 * copy) or Cancel. Keep both is focused: the answer that loses nothing.
 */
export function ConflictDialog(props: {
  name: string
  folder: string
  /** Other conflicts waiting for an answer (uploads), offered "the same for all". */
  others?: number
  onChoose: (answer: ConflictChoice) => Promise<void> | void
}) {
  const [all, setAll] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>()
  const others = props.others ?? 0
  const choose = (choice: OnExisting | 'cancel') => async () => {
    setBusy(true)
    setError(undefined)
    try {
      await props.onChoose({ choice, all })
    } catch (failure) {
      setError(messageOf(failure))
    } finally {
      setBusy(false)
    }
  }
  return (
    <Modal title="This name is taken" onClose={choose('cancel')}>
      <p>
        <strong>{props.name}</strong> already exists in {props.folder}. Replace it, keep both (the new one
        gets a number), or cancel?
      </p>
      {others > 0 ? (
        <label className="check">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
          Do the same for the other {others} {others === 1 ? 'file' : 'files'}
        </label>
      ) : null}
      {error === undefined ? null : <ErrorText message={error} />}
      <div className="form-actions">
        <button type="button" onClick={choose('cancel')} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="danger" onClick={choose('replace')} disabled={busy}>
          Replace
        </button>
        <button
          type="button"
          className="primary"
          onClick={choose('keep-both')}
          disabled={busy}
          data-autofocus
        >
          Keep both
        </button>
      </div>
    </Modal>
  )
}
