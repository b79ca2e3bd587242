import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startProcess } from './spawned-service.ts'

/** Every entry under `dir` (itself included) with its permission bits, as `path mode` lines. */
async function modesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  const paths = [dir, ...entries.map((e) => join(e.parentPath, e.name))]
  return Promise.all(
    paths.map(async (path) => {
      const mode = (await stat(path)).mode & 0o777
      return `${path.slice(dir.length) || '/'} ${mode.toString(8)}`
    }),
  )
}

describe('the data dir of a service started like `npm start`', () => {
  let parent: string
  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'coffer-modes-'))
  })
  afterAll(() => rm(parent, { recursive: true, force: true }))

  it('is readable by the service user only: directories 0700, files 0600', async () => {
    const dataDir = join(parent, 'data')
    const admin = `cfr_${'m'.repeat(43)}`
    const service = await startProcess({ COFFER_DATA_DIR: dataDir, COFFER_ADMIN_KEY: admin })
    try {
      const put = await fetch(`${service.url}/v1/buckets/documents/objects/projects/p1/report.txt`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${admin}` },
        body: 'tenant data',
      })
      expect(put.status).toBe(200)
    } finally {
      service.child.kill('SIGTERM')
      await service.exited
    }
    const modes = await modesUnder(dataDir)
    // What a first start makes: the index, the signing secret, the staging dir and the object.
    expect(modes).toEqual(
      expect.arrayContaining([
        '/ 700',
        '/coffer.db 600',
        '/signing-secret 600',
        '/uploads 700',
        '/files 700',
        '/files/objects/documents/projects/p1 700',
        '/files/objects/documents/projects/p1/report.txt~ 600',
      ]),
    )
    const open = modes.filter((line) => (Number.parseInt(line.split(' ')[1] ?? '', 8) & 0o077) !== 0)
    expect(open).toEqual([])
  })
})
