import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite'
import { type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely'

/**
 * Kysely's SQLite dialect over Node's built-in `node:sqlite`, so the embedded index needs no native
 * addon. Kysely's dialect is written for better-sqlite3; this adapts `DatabaseSync` to that interface
 * (parameters as an array; `reader` from the statement's result columns, so `RETURNING` works).
 */
export function nodeSqliteDialect(
  database: DatabaseSync,
  companions: Set<DatabaseSync> = new Set(),
): SqliteDialect {
  return new SqliteDialect({ database: adapt(database, companions) })
}

/** Prepared statements kept per SQL text: Kysely compiles the same few shapes over and over. */
const CACHED_STATEMENTS = 256

type Row = Record<string, unknown>

/**
 * An integer beyond 2^53 (a row written by hand or by an older version) as Postgres's driver gives a
 * bigint: as text, which the stores read with `Number`. node:sqlite refuses to read such a row as a
 * number at all, and one such row would fail every query that reads it (a listing of all buckets).
 */
function safeRow(row: Row): Row {
  for (const name in row) {
    const value = row[name]
    if (typeof value === 'bigint') {
      row[name] =
        value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER ? Number(value) : String(value)
    }
  }
  return row
}

function isOutOfRange(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ERR_OUT_OF_RANGE'
}

/**
 * Reads a statement's rows (see `readRows`) with Kysely's parameters: the reads that skip Kysely
 * (`reusableQuery`) use it too.
 */
export function allRows(statement: StatementSync, parameters: ReadonlyArray<unknown>): Row[] {
  return readRows(statement, parameters.map(toSqlite), true)
}

/**
 * Reads a statement's rows. A query that reads a number beyond 2^53 is run again reading bigints,
 * which only a query can be; a statement that changes rows (`RETURNING`) always reads bigints.
 */
function readRows(statement: StatementSync, parameters: SQLInputValue[], query: boolean): Row[] {
  if (query) {
    try {
      return statement.all(...parameters) as Row[]
    } catch (error) {
      if (!isOutOfRange(error)) throw error
    }
  }
  statement.setReadBigInts(true)
  try {
    return (statement.all(...parameters) as Row[]).map(safeRow)
  } finally {
    statement.setReadBigInts(false)
  }
}

/** `companions`: connections to the same file that close with this one (see `openDatabase`). */
function adapt(database: DatabaseSync, companions: Set<DatabaseSync>): SqliteDatabase {
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
    close: () => {
      for (const companion of companions) companion.close()
      database.close()
    },
    prepare(sql: string): SqliteStatement {
      const statement = prepared(sql)
      const query = /^\s*(select|with)\b/i.test(sql)
      const args = (parameters: ReadonlyArray<unknown>) => parameters.map(toSqlite)
      return {
        reader: statement.columns().length > 0,
        all: (parameters) => readRows(statement, args(parameters), query),
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
