import { formatBytes } from '../lib/format.ts'

/** Where a schema error points (`body/name`, `querystring/limit`): people read only the field. */
const SCHEMA_PATH = /\b(?:body|querystring|params|headers)(?:\/([\w-]+))+/g

/**
 * A server message made readable by people: no schema paths, patterns or route names, and byte
 * counts in the units the UI shows (`1048576 bytes` → `1.0 MB`). The words themselves stay.
 */
export function peopleWords(detail: string): string {
  return detail
    .replace(/^Route \w+:\S+ not found$/, 'There is no such page or action.')
    .replace(
      /\b(?:body|querystring|params|headers)\S* must have required property '([^']+)'/g,
      '$1 is missing',
    )
    .replace(SCHEMA_PATH, (_path, field: string) => field)
    .replace(/ must match (?:pattern|format) "(?:[^"\\]|\\.)*"/g, ' is not in the form expected')
    .replace(/\b(\d{4,}) bytes\b/g, (_all, n: string) => formatBytes(Number(n)))
}
