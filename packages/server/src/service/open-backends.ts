import { createStorage, type Driver, fsDriver, memoryDriver, type StorageService } from '@coffer/core'
import type { Kysely } from 'kysely'
import type { Config, DriverConfig } from '../config/config.ts'
import { openDatabase } from '../db/open-database.ts'
import type { Database } from '../db/schema.ts'

/** The storage and the index a configuration names, opened (and the index migrated). */
export interface Backends {
  storage: StorageService
  db: Kysely<Database>
  close(): Promise<void>
}

/** The configured driver; the S3 driver's package is imported only when named (its SDK costs fs nothing). */
async function openDriver(config: DriverConfig): Promise<Driver> {
  switch (config.kind) {
    case 'fs':
      return fsDriver({ root: config.root })
    case 'memory':
      return memoryDriver()
    case 's3':
      return (await import('@coffer/driver-s3')).s3Driver(config.options)
  }
}

/** Opens the configured driver (fs under `<dataDir>/files` by default) and index (SQLite or Postgres). */
export async function openBackends(config: Config): Promise<Backends> {
  const driver = await openDriver(config.driver)
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
