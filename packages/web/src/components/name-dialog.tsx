import { useState } from 'react'
import { ActionForm, Modal } from './modal.tsx'

/** A text field in a dialog (rename, new folder). */
export function NameDialog(props: {
  title: string
  label: string
  initial: string
  submit: string
  onSubmit: (value: string) => Promise<void>
  onClose: () => void
}) {
  const [value, setValue] = useState(props.initial)
  return (
    <Modal title={props.title} onClose={props.onClose}>
      <ActionForm submit={props.submit} onSubmit={() => props.onSubmit(value)} onCancel={props.onClose}>
        <label className="fields">
          {props.label}
          <input required value={value} onChange={(e) => setValue(e.target.value)} />
        </label>
      </ActionForm>
    </Modal>
  )
}
