import type { Client } from '../client.ts'
import { parseCofferUrl } from '../coffer-url.ts'
import { formatBytes } from '../units.ts'

/** The service's answer to a deploy. */
export interface DeployAnswer {
  site: { name: string; url: string; public: boolean }
  deploy: { id: string; files: number; bytes: number }
}

/** What `coffer deploy` was asked for. */
export interface DeployFlags {
  site: string
  activate?: boolean
  json?: boolean
}

/** The deploy route of a site, with `activate=false` when the deploy must not go live. */
export function deployPath(options: DeployFlags): string {
  const query = options.activate === false ? '?activate=false' : ''
  return `/v1/sites/${encodeURIComponent(options.site)}/deploys${query}`
}

/** Prints a deploy's answer: JSON with `--json`, else one line with the site's URL. */
export function printDeploy(answer: DeployAnswer, options: DeployFlags): void {
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
export async function deployFromBucket(client: Client, address: string, options: DeployFlags): Promise<void> {
  const { bucket, key } = parseCofferUrl(address)
  const answer = await client.json<DeployAnswer>(deployPath(options), 'POST', { bucket, prefix: key })
  printDeploy(answer, options)
}
