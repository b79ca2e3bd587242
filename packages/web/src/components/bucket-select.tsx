/** A choice of one bucket, or every bucket (`*`), for a new credential's scope. */
export function BucketSelect(props: {
  buckets: string[]
  value: string
  onChange: (bucket: string) => void
}) {
  return (
    <label>
      Bucket
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="*">Every bucket</option>
        {props.buckets.map((b) => (
          <option key={b}>{b}</option>
        ))}
      </select>
    </label>
  )
}
