import { lstat, realpath } from 'node:fs/promises'

/** The error of a symbolic link met inside the objects tree, as the system reports O_NOFOLLOW's. */
export function linkRefused(): NodeJS.ErrnoException {
  return Object.assign(new Error('a symbolic link inside the data root was refused'), { code: 'ELOOP' })
}

/**
 * Keeps the driver inside its objects tree. A symbolic link planted in it (by another process or
 * user with access to the data dir) must not let a read, a listing or a write reach a file outside:
 * object files are opened with O_NOFOLLOW, new directories are made one at a time (never through a
 * link), and a directory the driver uses must really be where the layout puts it. The data dir
 * itself may be a link (an operator's choice); only what lies under `objects` is checked.
 */
export class RootGuard {
  readonly #objects: string
  #real: string | undefined

  constructor(objects: string) {
    this.#objects = objects
  }

  async #realObjects(): Promise<string> {
    if (this.#real === undefined) {
      if ((await lstat(this.#objects)).isSymbolicLink()) throw linkRefused()
      this.#real = await realpath(this.#objects)
    }
    return this.#real
  }

  /**
   * Throws ELOOP when `dir` (the objects root or a directory under it) lies elsewhere than its path
   * says, through a symbolic link; the file system's error (ENOENT, say) when it does not exist.
   */
  async checkDir(dir: string): Promise<void> {
    const real = await realpath(dir)
    if (real !== (await this.#realObjects()) + dir.slice(this.#objects.length)) throw linkRefused()
  }

  /** `checkDir`, where a directory that does not exist yet passes (it will be made safely). */
  async checkDirIfAny(dir: string): Promise<void> {
    try {
      await this.checkDir(dir)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
}
