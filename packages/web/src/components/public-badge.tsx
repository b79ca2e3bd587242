/** A visible mark on a public bucket: its objects are readable by anyone with their link. */
export function PublicBadge(props: { bucket: string }) {
  return (
    <span className="badge badge-public" title={`Anyone with a link can read the files of ${props.bucket}`}>
      Public
    </span>
  )
}
