/**
 * The field of a typed confirmation: the person types a bucket's name before something that cannot
 * be undone (as GitHub asks for a repository's), so a hurried click changes nothing.
 */
export function TypedName(props: { name: string; value: string; onChange: (value: string) => void }) {
  return (
    <label className="fields">
      Type the bucket's name, {props.name}, to confirm
      <input
        value={props.value}
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  )
}
