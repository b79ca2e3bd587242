import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite'
import { type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely'

/**
 * Kysely's SQLite dialect over Node's built-in `node:sqlite`, so the embedded index needs no native
 * addon. Kysely's dialect is written for better-sqlite3; this adapts `DatabaseSync` to that interface
 * (parameters as an array; `reader` from the statement's result columns, so `RETURNING` works).
 */
export function nodeSqliteDialect(database: DatabaseSync): SqliteDialect {
  return new SqliteDialect({ database: adapt(database) })
}

/** Prepared statements kept per SQL text: Kysely compiles the same few shapes over and over. */
const CACHED_STATEMENTS = 256

function adapt(database: DatabaseSync): SqliteDatabase {
  const cache = new Map<string, StatementSync>()
  const prepared = (sql: string): StatementSync => {
    let statement = cache.get(sql)
    if (statement === undefined) {
      statement = database.prepare(sql)
      if (cache.size >= CACHED_STATEMENTS) cache.delete(cache.keys().next().value as string)
      cache.set(sql, statement)
    }
    return statement
  }
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      const statement = prepared(sql)
      const args = (parameters: ReadonlyArray<unknown>) => parameters.map(toSqlite)
      return {
        reader: statement.columns().length > 0,
        all: (parameters) => statement.all(...args(parameters)),
        run: (parameters) => statement.run(...args(parameters)),
        iterate: (parameters) => statement.iterate(...args(parameters)),
      }
    },
  }
}

/** node:sqlite binds numbers, bigints, strings, bytes and null; Kysely may also pass booleans. */
function toSqlite(value: unknown): SQLInputValue {
  if (typeof value === 'boolean') return value ? 1 : 0
  if (value === undefined) return null
  return value as SQLInputValue
}
