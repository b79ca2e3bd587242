import { type Abilities, ALL } from '../lib/abilities.ts'

/** What can be done with the selected rows or the opened object. */
export interface ObjectActions {
  onDownload: () => void
  onShare: () => void
  onRename: () => void
  onDelete: () => void
}

/**
 * Download, Share, Rename and Delete: the first two for one object only (a folder has no bytes to
 * hand out), Rename for one entry.
 */
export function ObjectButtons(props: ObjectActions & { object: boolean; one: boolean; can?: Abilities }) {
  // What the credential may not do is not offered (the server would refuse it).
  const can = props.can ?? ALL
  return (
    <>
      {props.object ? (
        <>
          <button type="button" onClick={props.onDownload}>
            Download
          </button>
          {can.sign ? (
            <button type="button" onClick={props.onShare}>
              Share
            </button>
          ) : null}
        </>
      ) : null}
      {props.one && can.move ? (
        <button type="button" onClick={props.onRename}>
          Rename
        </button>
      ) : null}
      {can.delete ? (
        <button type="button" className="danger" onClick={props.onDelete}>
          Delete
        </button>
      ) : null}
    </>
  )
}
