import type { RefObject } from 'react'

/** A hidden file input that the Upload buttons open; with `folder`, it picks a whole folder. */
export function FilePicker(props: {
  ref: RefObject<HTMLInputElement | null>
  label: string
  folder?: boolean
  accept?: string | undefined
  onPick: (files: FileList | null) => void
}) {
  // webkitdirectory is not in React's types; every current browser supports it.
  const directory = props.folder ? ({ webkitdirectory: '' } as Record<string, string>) : {}
  return (
    <input
      ref={props.ref}
      type="file"
      multiple
      {...(props.accept === undefined ? {} : { accept: props.accept })}
      {...directory}
      className="visually-hidden"
      tabIndex={-1}
      aria-label={props.label}
      onChange={(e) => {
        props.onPick(e.target.files)
        e.target.value = ''
      }}
    />
  )
}
