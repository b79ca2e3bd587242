import type { CofferClient, Deployed } from '@coffer/client'
import { parseCofferUrl } from '../coffer-url.ts'
import { formatBytes } from '../units.ts'

/** What `coffer deploy` was asked for. */
export interface DeployFlags {
  site: string
  activate?: boolean
  json?: boolean
}

/** Prints a deploy's answer: JSON with `--json`, else one line with the site's URL. */
export function printDeploy(answer: Deployed, options: DeployFlags): void {
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify(answer)}\n`)
    return
  }
  const { deploy: made, site } = answer
  const live = options.activate === false ? 'not live yet' : 'live'
  process.stdout.write(
    `deploy ${made.id}: ${made.files} files, ${formatBytes(made.bytes)}, ${live} at ${site.url}/\n`,
  )
}

/**
 * `coffer deploy coffer://BUCKET/FOLDER --site NAME`: the service copies the objects under the
 * folder into a new deploy of the site (nothing passes through this machine), so no progress bar.
 */
export async function deployFromBucket(
  client: CofferClient,
  address: string,
  options: DeployFlags,
): Promise<void> {
  const { bucket, key } = parseCofferUrl(address)
  const answer = await client.sites.deployFromBucket(
    options.site,
    { bucket, prefix: key },
    { activate: options.activate !== false },
  )
  printDeploy(answer, options)
}
