/**
 * What one archive may hold. Every limit is checked against the bytes that really come out of the
 * decompressor as they stream, never against the sizes an archive declares in its headers (a zip
 * bomb declares whatever it likes); declared sizes only let an obviously oversized archive be
 * refused before any byte is inflated.
 */
export interface ArchiveLimits {
  /** Bytes of the archive itself (the compressed body). Default 512 MiB. */
  maxArchiveBytes: number
  /** Entries, folders included. Default 10,000. */
  maxEntries: number
  /** Uncompressed bytes of one file. Default 256 MiB. */
  maxEntryBytes: number
  /** Uncompressed bytes of all files together. Default 1 GiB. */
  maxTotalBytes: number
  /**
   * Uncompressed bytes per compressed byte, for one zip entry or a whole tar.gz stream. Default 100,
   * the threshold Apache POI uses against zip bombs: deflate reaches about 1,000:1 on crafted input,
   * while web assets compress 3-10:1.
   */
  maxRatio: number
  /**
   * The ratio is enforced only once this many bytes came out, so that a small file of repeated
   * characters (a blank SVG, padding) is not mistaken for a bomb. Default 1 MiB.
   */
  ratioFloorBytes: number
}

const MiB = 1024 * 1024

/** The defaults; a deploy's own limits are these overridden by configuration. */
export const DEFAULT_ARCHIVE_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxArchiveBytes: 512 * MiB,
  maxEntries: 10_000,
  maxEntryBytes: 256 * MiB,
  maxTotalBytes: 1024 * MiB,
  maxRatio: 100,
  ratioFloorBytes: 1 * MiB,
})

/** The defaults with the given limits put over them. */
export function archiveLimits(overrides: Partial<ArchiveLimits> = {}): ArchiveLimits {
  const limits = { ...DEFAULT_ARCHIVE_LIMITS }
  for (const [name, value] of Object.entries(overrides) as [keyof ArchiveLimits, number | undefined][]) {
    if (value !== undefined) limits[name] = value
  }
  return limits
}
