import { type ReactNode, useEffect, useId, useRef, useState } from 'react'
import { messageOf } from '../api/people-words.ts'

/** What a dialog focuses first: the control marked `data-autofocus`, else its first field. */
const FIELD = 'input:not([type="hidden"]):not([type="checkbox"]), select, textarea'

/** The control focused last outside every dialog. */
let lastOutside: Element | null = null
if (typeof document !== 'undefined') {
  document.addEventListener('focusin', (event) => {
    if (event.target instanceof Element && !event.target.closest('dialog')) lastOutside = event.target
  })
}

/**
 * The control that opened a dialog, taken while rendering (by the time effects run, focus has moved).
 * A dialog that follows another (a rename whose name is taken asks next), or one opened while a busy
 * button lost the focus, goes back to the control focused last outside the dialogs.
 */
function openerOf(): Element | null {
  const active = document.activeElement
  return active && active !== document.body && !active.closest('dialog') ? active : lastOutside
}

/**
 * A modal dialog on the native `<dialog>`: the browser traps focus and closes on Escape. It focuses
 * its first field (or the control marked `data-autofocus`), and gives the focus back to the control
 * that opened it when it goes (React removes it, so the browser's own restoring does not happen).
 */
export function Modal(props: { title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  const [opener] = useState(openerOf)
  // The latest onClose, so that a new callback each render does not close and reopen the dialog.
  const onCloseRef = useRef(props.onClose)
  onCloseRef.current = props.onClose
  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (typeof dialog.showModal === 'function' && !dialog.open) dialog.showModal()
    ;(
      dialog.querySelector<HTMLElement>('[data-autofocus]') ?? dialog.querySelector<HTMLElement>(FIELD)
    )?.focus()
    const onCancel = (event: Event) => {
      event.preventDefault()
      onCloseRef.current()
    }
    dialog.addEventListener('cancel', onCancel)
    return () => {
      dialog.removeEventListener('cancel', onCancel)
      if (dialog.open) dialog.close()
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus()
    }
  }, [opener])
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
  /** Keeps the submit button off (a confirmation not typed yet). */
  disabled?: boolean
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
        {/* A destructive confirm focuses Cancel, so a hurried Enter keeps things as they are; one that
            waits for a typed confirmation focuses its field. */}
        <button
          type="button"
          onClick={props.onCancel}
          {...(props.danger && props.disabled !== true ? { 'data-autofocus': '' } : {})}
        >
          Cancel
        </button>
        <button
          type="submit"
          className={props.danger ? 'danger' : 'primary'}
          disabled={busy || props.disabled === true}
        >
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
