import { type Kysely, PostgresAdapter } from 'kysely'

/** Whether the index is on Postgres (else SQLite), for the few statements that differ. */
export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter
}
