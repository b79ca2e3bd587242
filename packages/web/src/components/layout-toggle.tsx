import type { Layout } from '../lib/use-layout.ts'

/** The list/grid switch of a folder: two toggle buttons, the pressed one is the layout shown. */
export function LayoutToggle(props: { layout: Layout; onLayout: (layout: Layout) => void }) {
  const option = (layout: Layout, label: string) => (
    <button
      type="button"
      aria-pressed={props.layout === layout}
      className={props.layout === layout ? 'pressed' : ''}
      onClick={() => props.onLayout(layout)}
    >
      {label}
    </button>
  )
  return (
    <fieldset className="layout-toggle" aria-label="Layout">
      {option('list', 'List')}
      {option('grid', 'Grid')}
    </fieldset>
  )
}
