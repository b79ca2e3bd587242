import picomatch from 'picomatch'

/** One `--include` or `--exclude` glob, in the order given on the command line. */
export interface FilterRule {
  include: boolean
  glob: string
}

/** Which relative names a transfer takes. */
export type NameFilter = (name: string) => boolean

/**
 * A filter from `--include`/`--exclude` rules, as `aws s3 cp` and `sync` apply them: every name is
 * taken unless a rule says otherwise, and of the rules that match a name the last one given wins
 * (`--exclude '*' --include '*.jpg'` takes only JPEGs). A glob without `/` matches a name at any
 * depth by its last segment (as rclone does: `*.tmp` is every temporary file); one with `/` matches
 * the whole path relative to the source folder, `**` crossing folders. Dot files match like others.
 */
export function nameFilter(rules: readonly FilterRule[] = []): NameFilter {
  if (rules.length === 0) return () => true
  const matchers = rules.map((rule) => ({
    include: rule.include,
    matches: picomatch(rule.glob, { dot: true, basename: !rule.glob.includes('/') }),
  }))
  return (name) => {
    let taken = true
    for (const { include, matches } of matchers) if (matches(name)) taken = include
    return taken
  }
}

/** The entries of a map (names relative to a folder) that the filter takes. */
export function filtered<T>(entries: Map<string, T>, filter: NameFilter): Map<string, T> {
  return new Map([...entries].filter(([name]) => filter(name)))
}

/**
 * A Commander option parser that records `--include` and `--exclude` values in one list, in the order
 * they were given (Commander calls parsers in command-line order), since the last match wins.
 */
export function filterCollector(): (include: boolean) => (glob: string) => FilterRule[] {
  const rules: FilterRule[] = []
  return (include) => (glob) => {
    rules.push({ include, glob })
    return rules
  }
}
