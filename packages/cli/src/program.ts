import { readFileSync } from 'node:fs'
import type { CofferClient } from '@coffer/client'
import { Command, type Command as CommandType, Option } from 'commander'
import type { ConnectionOptions } from './config/settings.ts'
import { EXIT_HELP } from './exit-codes.ts'
import { CONFIG_HELP, FILTER_HELP, LOGIN_HELP } from './help-texts.ts'
import { filterCollector } from './transfer/name-filter.ts'

// Commander hands actions their arguments untyped; each command function's parameters follow the
// command's declared arguments, then its options.
// biome-ignore lint/suspicious/noExplicitAny: Commander's action arguments
type Action = (...args: any[]) => Promise<void>
/** Loads a command's function when the command runs: each run parses only the modules it uses. */
type Load = () => Promise<(client: CofferClient, ...args: never[]) => Promise<void>>
type WithClient = (load: Load) => Action

/** Collects a repeatable option's values. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}

/** The `coffer` command line: every command, its options and its help. */
export function createProgram(): CommandType {
  const program = new Command('coffer')
  program
    .description('Coffer from the shell: copy, list, sync and share files; manage buckets and keys')
    .version(packageVersion())
    .option('--url <url>', 'service address (env COFFER_URL)')
    .option('--key <key>', 'API key or JWT (env COFFER_KEY)')
    .option('--profile <name>', 'profile written by "coffer login" (env COFFER_PROFILE)')
    .option('--debug', 'print stack traces')
    .addHelpText('after', `${CONFIG_HELP}\n${EXIT_HELP}`)
    // Commander's own errors (an unknown command with its "Did you mean …?", a missing argument) in
    // the CLI's voice, set before the commands are added so that they inherit it; it exits with 1.
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'coffer: ')) })
  const withClient: WithClient =
    (load) =>
    async (...args: unknown[]) => {
      const action = (await load()) as (client: CofferClient, ...a: unknown[]) => Promise<void>
      // Loaded here, as the commands are: `--help` and `--version` load no client.
      const { clientOf, connection } = await import('./config/settings.ts')
      const connected = await connection(program.opts<ConnectionOptions>())
      try {
        return await action(clientOf(connected), ...args)
      } catch (error) {
        if (connected.key !== undefined) throw error
        throw (await import('./not-logged-in.ts')).notLoggedIn(error)
      }
    }
  objectCommands(program, withClient)
  adminCommands(program, withClient)
  program
    .command('login')
    .description('check a key against the service and save it with the address as a profile (0600)')
    .option('--url <url>', 'service address (env COFFER_URL)')
    .option('--key <key>', 'API key or JWT (env COFFER_KEY; else read from stdin)')
    .option('--profile <name>', 'the profile to write (env COFFER_PROFILE, default "default")')
    .addHelpText('after', LOGIN_HELP)
    .action(async (options: ConnectionOptions) =>
      (await import('./commands/login.ts')).login({ ...program.opts<ConnectionOptions>(), ...options }),
    )
  program
    .command('whoami')
    .description('the credential in use: its name, what it may do, until when')
    .option('--json', 'JSON output')
    .action(withClient(async () => (await import('./commands/whoami.ts')).whoami))
  program
    .command('serve')
    .description('start the service here (as "npm start"; configured by the environment)')
    .option('--port <port>', 'port (env PORT, default 7373; 0 for any free port)')
    .option('--host <host>', 'interface (env HOST, default 127.0.0.1)')
    .option('--data-dir <dir>', 'data directory (env COFFER_DATA_DIR, default ./data)')
    .action(async (options) => (await import('./commands/serve.ts')).serve(options))
  return program
}

/** This package's version (src/ and dist/ both sit beside package.json). */
function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8')
  return (JSON.parse(text) as { version: string }).version
}

/** Adds the options of commands that transfer files. */
function transferOptions(command: CommandType): CommandType {
  const rule = filterCollector()
  return command
    .option('--concurrency <n>', 'transfers at a time', '4')
    .option('--resume-threshold <size>', 'upload resumably (tus) from this size', '64MiB')
    .option(
      '--exclude <glob>',
      'leave out names matching the glob (repeatable; the last match wins)',
      rule(false),
    )
    .option(
      '--include <glob>',
      'take names matching the glob again, after an --exclude (repeatable)',
      rule(true),
    )
    .option('--no-clobber', 'never replace an object or file that exists at the destination')
    .option('--content-type <type>', 'the type of every uploaded object (instead of detecting it)')
    .option(
      '--cache-control <value>',
      'Cache-Control of uploaded objects (as the content origin serves them)',
    )
    .option('--metadata <name=value>', 'user metadata of uploaded objects (repeatable)', collect)
    .addHelpText('after', FILTER_HELP)
}

function objectCommands(program: CommandType, withClient: WithClient): void {
  program
    .command('ls [target]')
    .description('list buckets, or the objects under coffer://BUCKET[/PREFIX]')
    .option('-r, --recursive', 'every key under the prefix, not one level')
    .option('-H, --human-readable', 'sizes in KiB, MiB, GiB')
    .option('--summarize', 'end with the number of objects and their total size')
    .option('--json', 'JSON output (full keys)')
    .action(withClient(async () => (await import('./commands/ls.ts')).ls))
  transferOptions(
    program
      .command('cp <src> <dst>')
      .description('copy files: local ↔ coffer://BUCKET/KEY, or coffer:// → coffer://; -r for folders'),
  )
    .option('-r, --recursive', 'every file under a folder or prefix')
    .action(withClient(async () => (await import('./commands/cp.ts')).cp))
  transferOptions(
    program
      .command('mv <src> <dst>')
      .description('move files (copy, then delete the source; within a bucket on the service)'),
  )
    .option('-r, --recursive', 'every file under a folder or prefix')
    .action(withClient(async () => (await import('./commands/mv.ts')).mv))
  transferOptions(
    program
      .command('sync <src> <dst>')
      .description('mirror a local folder to a prefix, or a prefix to a local folder (one way)'),
  )
    .option('--delete', 'delete files that are only at the destination')
    .option('--dry-run', 'print what would be done; change nothing')
    .option('--json', 'a JSON report instead of lines')
    .action(withClient(async () => (await import('./commands/sync.ts')).sync))
  program
    .command('cat <url>')
    .description('write an object to stdout')
    .action(withClient(async () => (await import('./commands/cat.ts')).cat))
  program
    .command('stat <url>')
    .description("an object's size, type, etag, sha256, visibility, date and metadata")
    .option('--json', 'JSON output')
    .action(withClient(async () => (await import('./commands/stat.ts')).stat))
  program
    .command('rm <url>')
    .description('delete an object, or with -r every object under a prefix')
    .option('-r, --recursive', 'delete every object under the prefix')
    .option('--force', 'do not ask (required with -r when stdin is not a terminal)')
    .action(withClient(async () => (await import('./commands/rm.ts')).rm))
  program
    .command('presign <url>')
    .description('print a signed URL for an object')
    .option('--expires <duration>', 'lifetime: 30s, 15m, 2h30m, 7d', '1h')
    .option('--put', 'a URL to upload with PUT instead of downloading')
    .option('--json', 'print {"url", "method", "expiresAt"}')
    .option(
      '--transform <params>',
      "a render URL of an image instead, its transform sealed in: 'w=200,h=200'",
    )
    .action(withClient(async () => (await import('./commands/presign.ts')).presign))
  shareCommands(program, withClient)
  program
    .command('deploy <folder>')
    .description(
      "deploy a folder (or a bucket's, coffer://BUCKET/FOLDER) as a new deploy of a prototype site",
    )
    .requiredOption('--site <name>', 'the site (a DNS label: a-z, 0-9, "-")')
    .option('--no-activate', 'store the deploy without making it live')
    .option('--json', 'print the answer as JSON')
    .action(withClient(async () => (await import('./commands/deploy.ts')).deploy))
}

function shareCommands(program: CommandType, withClient: WithClient): void {
  program
    .command('share <url>')
    .description('make a share link for an object: it counts downloads and can be revoked')
    .option('--expires <duration>', "lifetime: 15m up to the bucket's longest (default 7d)")
    .option('--max-downloads <n>', 'stop after this many downloads')
    .option('--json', 'print the share as JSON')
    .action(withClient(async () => (await import('./commands/shares.ts')).share))
  const shares = program.command('shares').description('list and revoke share links')
  shares
    .command('ls [bucket]')
    .description("a bucket's live share links; without a bucket every bucket's (admin)")
    .option('--name <name>', 'only links made by keys of this name (admin, every bucket)')
    .option('--json', 'JSON output')
    .action(withClient(async () => (await import('./commands/shares.ts')).sharesLs))
  shares
    .command('revoke <bucket> <id>')
    .description('revoke a share link: it stops working at once')
    .action(withClient(async () => (await import('./commands/shares.ts')).sharesRevoke))
}

function adminCommands(program: CommandType, withClient: WithClient): void {
  const buckets = program.command('buckets').description('list, create, change and delete buckets')
  buckets
    .command('ls')
    .description('buckets and their policies')
    .option('--json', 'JSON output')
    .action(withClient(async () => (await import('./commands/buckets.ts')).bucketsLs))
  policyOptions(buckets.command('create <name>').description('create a bucket (admin)')).action(
    withClient(async () => (await import('./commands/buckets.ts')).bucketsCreate),
  )
  policyOptions(
    buckets.command('update <name>').description("change a bucket's policy (admin); 'none' clears a limit"),
  ).action(withClient(async () => (await import('./commands/buckets.ts')).bucketsUpdate))
  buckets
    .command('rm <name>')
    .description('delete an empty bucket (admin)')
    .action(withClient(async () => (await import('./commands/buckets.ts')).bucketsRm))

  const keys = program.command('keys').description('list, create and revoke API keys (admin)')
  keys
    .command('ls')
    .description('every API key, without tokens')
    .option('--json', 'JSON output')
    .action(withClient(async () => (await import('./commands/keys.ts')).keysLs))
  keys
    .command('create <name>')
    .description('create an API key; its token is printed once')
    .requiredOption(
      '--scope <scope>',
      'BUCKET[/PREFIX]:PERMS, repeatable; PERMS of read,write,delete,list,sign,admin; * is every bucket',
      collect,
    )
    .option('--expires <duration>', 'lifetime: 30d, 12h, 1d12h, …')
    .option('--json', 'JSON output (the key and its token)')
    .action(withClient(async () => (await import('./commands/keys.ts')).keysCreate))
  keys
    .command('revoke <id>')
    .description('revoke an API key')
    .action(withClient(async () => (await import('./commands/keys.ts')).keysRevoke))

  program
    .command('usage [bucket]')
    .description("the service's usage, or a bucket's: bytes, objects, quotas, traffic per day")
    .option('--json', 'JSON output')
    .action(withClient(async () => (await import('./commands/usage.ts')).usage))
  program
    .command('reconcile')
    .description("run the index's reconcile job once (admin) and print its report")
    .option('--json', 'one line of JSON')
    .action(withClient(async () => (await import('./commands/reconcile.ts')).reconcile))
}

/** Adds the policy options of `buckets create` and `buckets update`. */
function policyOptions(command: CommandType): CommandType {
  return command
    .addOption(new Option('--public', 'anyone may read its objects'))
    .addOption(new Option('--no-public', 'only credentials may read'))
    .option('--max-file-size <size>', 'largest object: 5MiB, 1GiB, … or none')
    .option('--allowed-types <types>', 'comma-separated types (image/*,application/pdf) or none')
    .option('--quota-bytes <size>', 'bytes the bucket may hold, or none')
    .option('--quota-objects <n>', 'objects the bucket may hold, or none (sent only when given)')
    .option('--cors-origins <origins>', 'comma-separated origins whose pages may call it (CORS), or none')
    .option('--max-share <duration>', 'longest share link: 15m to 366d, or none for 7d')
    .option('--json', 'print the bucket as JSON')
}
