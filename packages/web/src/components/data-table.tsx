import type { ReactNode } from 'react'

/**
 * A table of records with a header row; with `actions`, a last column of buttons whose header is
 * read by screen readers only.
 */
export function DataTable(props: {
  columns: string[]
  actions?: boolean
  className?: string
  children: ReactNode
}) {
  return (
    // The wrapper scrolls sideways on a narrow screen; the page itself never does.
    <div className="table-scroll">
      <table className={props.className ? `data-table ${props.className}` : 'data-table'}>
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
            {props.actions ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  )
}
