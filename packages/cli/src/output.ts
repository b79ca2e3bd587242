/** Writes one line to stdout. */
export function print(line: string): void {
  process.stdout.write(`${line}\n`)
}

/** Writes a value as one line of JSON to stdout. */
export function printJson(value: unknown): void {
  print(JSON.stringify(value))
}

/** Writes rows as columns padded to their widest cell, the first row being the header. */
export function printTable(rows: readonly (readonly string[])[]): void {
  const widths: number[] = []
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length)
  }
  for (const row of rows)
    print(
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
}
