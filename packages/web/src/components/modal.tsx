import { type ReactNode, useEffect, useId, useRef, useState } from 'react'
import { messageOf } from '../api/api-error.ts'

/**
 * A modal dialog on the native `<dialog>`: the browser traps focus, closes on Escape and restores
 * focus to where it was when the dialog closes.
 */
export function Modal(props: { title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  // The latest onClose, so that a new callback each render does not close and reopen the dialog.
  const onCloseRef = useRef(props.onClose)
  onCloseRef.current = props.onClose
  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (typeof dialog.showModal === 'function' && !dialog.open) dialog.showModal()
    const onCancel = (event: Event) => {
      event.preventDefault()
      onCloseRef.current()
    }
    dialog.addEventListener('cancel', onCancel)
    return () => {
      dialog.removeEventListener('cancel', onCancel)
      if (dialog.open) dialog.close()
    }
  }, [])
  return (
    <dialog ref={ref} className={props.wide ? 'modal wide' : 'modal'} aria-labelledby={titleId}>
      <header className="modal-head">
        <h2 id={titleId}>{props.title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={props.onClose}>
          ×
        </button>
      </header>
      {props.children}
    </dialog>
  )
}

/** Asks before something that cannot be undone. */
export function ConfirmDialog(props: {
  title: string
  message: ReactNode
  confirm: string
  onConfirm: () => Promise<void>
  onClose: () => void
}) {
  return (
    <Modal title={props.title} onClose={props.onClose}>
      <ActionForm submit={props.confirm} danger onSubmit={props.onConfirm} onCancel={props.onClose}>
        <p>{props.message}</p>
      </ActionForm>
    </Modal>
  )
}

/** A form whose submit runs an async action, shows its error, and stays open until it succeeds. */
export function ActionForm(props: {
  submit: string
  danger?: boolean
  onSubmit: () => Promise<void>
  onCancel: () => void
  children: ReactNode
}) {
  const [error, setError] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)
  return (
    <form
      method="dialog"
      onSubmit={async (event) => {
        event.preventDefault()
        setBusy(true)
        setError(undefined)
        try {
          await props.onSubmit()
        } catch (failure) {
          setError(messageOf(failure))
        } finally {
          setBusy(false)
        }
      }}
    >
      {props.children}
      {error === undefined ? null : <ErrorText message={error} />}
      <div className="form-actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" className={props.danger ? 'danger' : 'primary'} disabled={busy}>
          {props.submit}
        </button>
      </div>
    </form>
  )
}

/** An error message, announced to screen readers as it appears. */
export function ErrorText(props: { message: string }) {
  return (
    <p className="error" role="alert">
      {props.message}
    </p>
  )
}
