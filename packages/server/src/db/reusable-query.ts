import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { Compilable, CompiledQuery, Kysely } from 'kysely'
import { allRows } from './node-sqlite-dialect.ts'
import type { Database } from './schema.ts'

/** The read-only SQLite connection of each embedded index (see `useCommittedReader`). */
const readers = new WeakMap<Kysely<Database>, DatabaseSync>()

/**
 * Gives `db` (an embedded SQLite index) a read-only connection to its file for `reusableQuery`'s
 * reads: in WAL mode it sees every committed row and never a transaction's work in progress, and
 * a read on it is one synchronous call instead of Kysely's queue of promises around the writer's
 * connection (a fifth of a small S3 GET's time went there; `npm run bench`, P3).
 */
export function useCommittedReader(db: Kysely<Database>, reader: DatabaseSync): void {
  readers.set(db, reader)
}

/**
 * A read for the hot path (every S3 GET, every cached render): built and compiled once per
 * database, then run with new parameters, which spares Kysely's builder and compiler on each call.
 * On an embedded index it runs on the committed reader (see `useCommittedReader`), prepared once;
 * elsewhere (Postgres, a transaction) through Kysely. `build` makes it with placeholder values in
 * the order the parameters are given.
 */
export function reusableQuery<Row>(
  build: (db: Kysely<Database>) => Compilable<Row>,
): (db: Kysely<Database>, ...parameters: unknown[]) => Promise<Row[]> {
  const compiled = new WeakMap<Kysely<Database>, CompiledQuery<Row>>()
  const prepared = new WeakMap<DatabaseSync, StatementSync>()
  return async (db, ...parameters) => {
    let query = compiled.get(db)
    if (query === undefined) {
      query = build(db).compile()
      compiled.set(db, query)
    }
    const reader = readers.get(db)
    if (reader === undefined) return (await db.executeQuery<Row>({ ...query, parameters })).rows
    let statement = prepared.get(reader)
    if (statement === undefined) {
      statement = reader.prepare(query.sql)
      prepared.set(reader, statement)
    }
    return allRows(statement, parameters) as Row[]
  }
}
