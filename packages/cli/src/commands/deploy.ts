import type { CofferClient, Deployed } from '@coffer/client'
import { isCofferUrl, UsageError } from '../coffer-url.ts'
import { walkFolder } from '../transfer/local-tree.ts'
import { createProgress, progressMode } from '../transfer/progress.ts'
import { tarGzFolder } from '../transfer/tar-gz-folder.ts'
import { type DeployFlags, deployFromBucket, printDeploy } from './deploy-from-bucket.ts'

/**
 * `coffer deploy FOLDER --site NAME [--no-activate] [--json]`: sends the folder's files as one
 * streamed tar.gz to `POST /v1/sites/NAME/deploys` (a new immutable deploy, live at once unless
 * `--no-activate`), with a progress bar, and prints the site's URL. A `coffer://BUCKET/FOLDER`
 * instead of a folder deploys the bucket's objects under it (`deployFromBucket`).
 */
export async function deploy(client: CofferClient, folder: string, options: DeployFlags): Promise<void> {
  if (isCofferUrl(folder)) return deployFromBucket(client, folder, options)
  const files = await walkFolder(folder)
  if (files.size === 0) throw new UsageError(`no file to deploy under ${folder}`)
  let total = 0
  for (const file of files.values()) total += file.size
  const progress = createProgress(progressMode(options.json === true))
  const bar = progress.start(`deploy ${folder} → site ${options.site}`, total)
  const archive = tarGzFolder(files, (bytes) => bar.update(bytes))
  let answer: Deployed
  try {
    answer = await client.sites.deploy(options.site, archive, {
      format: 'tar.gz',
      activate: options.activate !== false,
    })
    bar.done()
  } catch (error) {
    bar.fail()
    archive.destroy()
    throw error
  } finally {
    progress.stop()
  }
  printDeploy(answer, options)
}
