/** One choice of a select: what it shows and the value it stands for. */
export interface Choice<V extends string | number> {
  label: string
  value: V
}

/**
 * A labelled select over a fixed list of choices (lifetimes, limits); `onChange` gets the choice's
 * value with its type, not the option's text.
 */
export function OptionSelect<V extends string | number>(props: {
  label: string
  value: V
  choices: readonly Choice<V>[]
  onChange: (value: V) => void
}) {
  return (
    <label>
      {props.label}
      <select
        value={props.value}
        onChange={(e) => {
          const chosen = props.choices.find((choice) => String(choice.value) === e.target.value)
          if (chosen !== undefined) props.onChange(chosen.value)
        }}
      >
        {props.choices.map((choice) => (
          <option key={choice.label} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    </label>
  )
}
