import { useEffect, useRef } from 'react'

/**
 * Calls `onEscape` when Escape is pressed anywhere on the page, except while a modal dialog is open
 * (Escape closes that one first) or in a field (Escape clears a search field).
 */
export function useEscape(onEscape: () => void): void {
  // The latest callback, so that a new one each render does not subscribe again.
  const latest = useRef(onEscape)
  latest.current = onEscape
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return
      if (document.querySelector('dialog[open]')) return
      if (event.target instanceof Element && event.target.closest('input, select, textarea')) return
      latest.current()
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [])
}
