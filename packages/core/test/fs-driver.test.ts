import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fsDriver } from '../src/index.ts'
import { testDriver } from './driver-suite.ts'

testDriver('fs', async () => {
  const root = await mkdtemp(join(tmpdir(), 'coffer-fs-'))
  return { driver: fsDriver({ root }), cleanup: () => rm(root, { recursive: true, force: true }) }
})
