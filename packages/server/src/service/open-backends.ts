import { createStorage, driverFromEnv, type StorageService } from '@coffer/core'
import type { Kysely } from 'kysely'
import type { Config } from '../config/config.ts'
import { openDatabase } from '../db/open-database.ts'
import type { Database } from '../db/schema.ts'

/** The storage and the index a configuration names, opened (and the index migrated). */
export interface Backends {
  storage: StorageService
  db: Kysely<Database>
  close(): Promise<void>
}

/** Opens the configured driver (fs under `<dataDir>/files` by default) and index (SQLite or Postgres). */
export async function openBackends(config: Config): Promise<Backends> {
  const driver = await driverFromEnv(
    { ...process.env, COFFER_DRIVER: config.driver, COFFER_DATA_DIR: config.dataDir },
    // Imported when named only: the AWS SDK costs a start on fs nothing.
    { drivers: { s3: async (env) => (await import('@coffer/driver-s3')).s3DriverFromEnv(env) } },
  )
  const storage = createStorage({ driver })
  try {
    const db = await openDatabase(
      config.databaseUrl === undefined
        ? { dataDir: config.dataDir }
        : { dataDir: config.dataDir, databaseUrl: config.databaseUrl },
    )
    return {
      storage,
      db,
      async close() {
        await db.destroy()
        await storage.close()
      },
    }
  } catch (error) {
    await storage.close()
    throw error
  }
}
