import { useEffect, useRef, useState } from 'react'
import { ActionForm, Modal } from './modal.tsx'

/** A text field in a dialog (rename, new folder). */
export function NameDialog(props: {
  title: string
  label: string
  initial: string
  submit: string
  /** The part of `initial` selected when the dialog opens (a name without its extension); else none. */
  select?: [number, number]
  onSubmit: (value: string) => Promise<void>
  onClose: () => void
}) {
  const [value, setValue] = useState(props.initial)
  const input = useRef<HTMLInputElement>(null)
  const [start, end] = props.select ?? [props.initial.length, props.initial.length]
  // After the Modal's own effect focused the field (a child's effects run first).
  useEffect(() => input.current?.setSelectionRange(start, end), [start, end])
  return (
    <Modal title={props.title} onClose={props.onClose}>
      <ActionForm submit={props.submit} onSubmit={() => props.onSubmit(value)} onCancel={props.onClose}>
        <label className="fields">
          {props.label}
          <input ref={input} required value={value} onChange={(e) => setValue(e.target.value)} />
        </label>
      </ActionForm>
    </Modal>
  )
}
