import { useEffect } from 'react'

/**
 * While `active`, leaving or reloading the page asks first (the browser's own `beforeunload` prompt):
 * a closed tab would lose the uploads in flight.
 */
export function useLeaveWarning(active: boolean): void {
  useEffect(() => {
    if (!active) return
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault()
      // Chromium before 119 and Safari still want returnValue set.
      event.returnValue = ''
    }
    addEventListener('beforeunload', onBeforeUnload)
    return () => removeEventListener('beforeunload', onBeforeUnload)
  }, [active])
}
