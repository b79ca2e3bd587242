import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { migrateToLatest } from './migrations.ts'
import { nodeSqliteDialect } from './node-sqlite-dialect.ts'
import { useCommittedReader } from './reusable-query.ts'
import type { Database } from './schema.ts'

/** Where the index lives. */
export interface DatabaseOptions {
  /** Postgres connection string; when absent, SQLite at `<dataDir>/coffer.db`. */
  databaseUrl?: string
  dataDir: string
}

/**
 * Opens the index (Postgres when a URL is given, else SQLite in the data dir) and migrates it to the
 * latest schema. The caller destroys it (`db.destroy()`) on shutdown.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Kysely<Database>> {
  let db: Kysely<Database>
  let file: string | undefined
  const companions = new Set<DatabaseSync>()
  if (options.databaseUrl !== undefined) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 })
    // An idle connection that Postgres ends (a restart, a failover) must not crash the process: the
    // pool drops it, and the next query opens a fresh one.
    pool.on('error', () => undefined)
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  } else {
    await mkdir(options.dataDir, { recursive: true, mode: 0o700 })
    file = join(options.dataDir, 'coffer.db')
    // SQLite creates the database (and its -wal and -shm files, which take the database's mode) with
    // the umask's mode, readable by everyone: it is created empty, then kept, for its owner only.
    await writeFile(file, '', { flag: 'a', mode: 0o600 })
    await chmod(file, 0o600)
    const sqlite = new DatabaseSync(file, { timeout: 5000 })
    // WAL lets readers proceed while one writer commits; foreign keys are off by default in SQLite.
    // synchronous = NORMAL: in WAL mode a commit is atomic and survives a process crash, and only
    // the last commits can be lost to a power cut; the store is the truth, and reconcile restores
    // what the index lost, so a sync per commit (each upload's row) is not worth its cost.
    sqlite.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;')
    db = new Kysely<Database>({ dialect: nodeSqliteDialect(sqlite, companions) })
  }
  try {
    await migrateToLatest(db as Kysely<unknown>)
  } catch (error) {
    await db.destroy()
    throw error
  }
  if (file !== undefined) {
    // After the migrations: the reader sees the schema they made.
    const reader = new DatabaseSync(file, { readOnly: true, timeout: 5000 })
    companions.add(reader)
    useCommittedReader(db, reader)
  }
  return db
}
