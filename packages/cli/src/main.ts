#!/usr/bin/env node
/**
 * `coffer`: Coffer's REST API from the shell. Configuration: `COFFER_URL` (default
 * http://127.0.0.1:7373) and `COFFER_KEY` (a Bearer token), overridden by `--url` and `--key`.
 */
import { Command } from 'commander'
import { ApiError, Client, EXIT } from './client.ts'
import { UsageError } from './coffer-url.ts'
import { cat } from './commands/cat.ts'
import { cp } from './commands/cp.ts'
import { ls } from './commands/ls.ts'
import { presign } from './commands/presign.ts'
import { rm } from './commands/rm.ts'
import { stat } from './commands/stat.ts'

const EXIT_HELP = `
Exit codes:
  0  success
  1  usage error
  2  not found
  3  access denied or missing credentials
  4  too large, quota exceeded or unsupported type
  5  service unavailable, timeout or internal error
  6  other invalid input`

type Options = Record<string, unknown>

const program = new Command('coffer')
program
  .description('Coffer from the shell: list, copy, read, describe, delete and sign objects')
  .option(
    '--url <url>',
    'service address (env COFFER_URL)',
    process.env.COFFER_URL ?? 'http://127.0.0.1:7373',
  )
  .option('--key <key>', 'API key or JWT (env COFFER_KEY)', process.env.COFFER_KEY)
  .option('--debug', 'print stack traces')
  .addHelpText('after', EXIT_HELP)

/** The client from the global options. */
function client(): Client {
  const options = program.opts() as { url: string; key?: string }
  return new Client({ url: options.url, key: options.key })
}

/** Wraps an action so its promise is awaited by `parseAsync`. */
function run(action: (...args: never[]) => Promise<void>) {
  return (...args: unknown[]) => (action as (...a: unknown[]) => Promise<void>)(...args)
}

program
  .command('ls [target]')
  .description('list buckets, or the objects under coffer://BUCKET[/PREFIX]')
  .option('-r, --recursive', 'every key under the prefix, not one level')
  .option('--json', 'JSON output')
  .action(run((target: string | undefined, options: Options) => ls(client(), target, options)))
program
  .command('cp <src> <dst>')
  .description('copy one file: local → coffer://, coffer:// → local, or within a bucket')
  .action(run((src: string, dst: string) => cp(client(), src, dst)))
program
  .command('cat <url>')
  .description('write an object to stdout')
  .action(run((url: string) => cat(client(), url)))
program
  .command('stat <url>')
  .description("an object's size, type, etag, date and metadata")
  .option('--json', 'JSON output')
  .action(run((url: string, options: Options) => stat(client(), url, options)))
program
  .command('rm <url>')
  .description('delete an object, or with -r every object under a prefix')
  .option('-r, --recursive', 'delete every object under the prefix')
  .option('--force', 'do not ask (required with -r when stdin is not a terminal)')
  .action(run((url: string, options: Options) => rm(client(), url, options)))
program
  .command('presign <url>')
  .description('print a signed URL for an object')
  .option('--expires <duration>', 'lifetime: 30s, 15m, 1h, 7d', '1h')
  .option('--put', 'a URL to upload with PUT instead of downloading')
  .action(run((url: string, options: Options) => presign(client(), url, options)))
program.on('command:*', (operands: string[]) => {
  process.stderr.write(`coffer: unknown command ${operands[0] ?? ''}\n`)
  process.exit(EXIT.usage)
})

try {
  if (process.argv.length <= 2) {
    program.outputHelp()
    process.exit(EXIT.usage)
  }
  await program.parseAsync(process.argv)
} catch (error) {
  const debug = (program.opts() as { debug?: boolean }).debug === true
  const exitCode =
    error instanceof ApiError ? error.exitCode : error instanceof UsageError ? EXIT.usage : EXIT.unavailable
  process.stderr.write(`coffer: ${error instanceof Error ? error.message : String(error)}\n`)
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`)
  process.exitCode = exitCode
}
