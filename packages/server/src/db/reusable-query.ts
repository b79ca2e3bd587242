import type { Compilable, CompiledQuery, Kysely } from 'kysely'
import type { Database } from './schema.ts'

/**
 * A query for the hot path (every S3 GET, every cached render): built and compiled once per
 * database, then run with new parameters, which spares Kysely's builder and compiler on each call
 * (they showed in those requests' profiles). `build` makes it with placeholder values in the order
 * the parameters are given.
 */
export function reusableQuery<Row>(
  build: (db: Kysely<Database>) => Compilable<Row>,
): (db: Kysely<Database>, ...parameters: unknown[]) => Promise<Row[]> {
  const compiled = new WeakMap<Kysely<Database>, CompiledQuery<Row>>()
  return async (db, ...parameters) => {
    let query = compiled.get(db)
    if (query === undefined) {
      query = build(db).compile()
      compiled.set(db, query)
    }
    return (await db.executeQuery<Row>({ ...query, parameters })).rows
  }
}
