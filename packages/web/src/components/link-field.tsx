import { useId, useState } from 'react'

/** Copies text; falls back to selecting the field when the Clipboard API is refused (no HTTPS, no focus). */
async function copy(text: string, field: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    field?.select()
    return false
  }
}

/** A read-only link (or token) with a Copy button, and a line saying whether the copy worked. */
export function LinkField(props: { label: string; url: string }) {
  const [copied, setCopied] = useState<string | undefined>()
  const id = useId()
  return (
    <div className="link-field">
      <label htmlFor={id}>{props.label}</label>
      <div className="inline">
        <input id={id} readOnly value={props.url} onFocus={(e) => e.target.select()} />
        <button
          type="button"
          onClick={async () => {
            const ok = await copy(props.url, document.getElementById(id) as HTMLInputElement | null)
            setCopied(ok ? 'Copied' : 'Press Ctrl+C to copy')
          }}
        >
          Copy
        </button>
      </div>
      <p className="hint" role="status">
        {copied ?? ''}
      </p>
    </div>
  )
}
