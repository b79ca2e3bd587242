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
export function ObjectButtons(props: ObjectActions & { object: boolean; one: boolean }) {
  return (
    <>
      {props.object ? (
        <>
          <button type="button" onClick={props.onDownload}>
            Download
          </button>
          <button type="button" onClick={props.onShare}>
            Share
          </button>
        </>
      ) : null}
      {props.one ? (
        <button type="button" onClick={props.onRename}>
          Rename
        </button>
      ) : null}
      <button type="button" className="danger" onClick={props.onDelete}>
        Delete
      </button>
    </>
  )
}
