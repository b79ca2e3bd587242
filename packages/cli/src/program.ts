import { Command, type Command as CommandType, Option } from 'commander'
import type { Client } from './client.ts'
import { bucketsCreate, bucketsLs, bucketsRm, bucketsUpdate } from './commands/buckets.ts'
import { cat } from './commands/cat.ts'
import { cp } from './commands/cp.ts'
import { keysCreate, keysLs, keysRevoke } from './commands/keys.ts'
import { login } from './commands/login.ts'
import { ls } from './commands/ls.ts'
import { mv } from './commands/mv.ts'
import { presign } from './commands/presign.ts'
import { reconcile } from './commands/reconcile.ts'
import { rm } from './commands/rm.ts'
import { serve } from './commands/serve.ts'
import { stat } from './commands/stat.ts'
import { sync } from './commands/sync.ts'
import { usage } from './commands/usage.ts'
import { type ConnectionOptions, connect } from './config/settings.ts'
import { EXIT_HELP } from './exit-codes.ts'

// Commander hands actions their arguments untyped; each action's signature is checked where it is
// called, against the command's declared arguments and options.
// biome-ignore lint/suspicious/noExplicitAny: Commander's action arguments
type Action = (...args: any[]) => Promise<void>

const CONFIG_HELP = `
Configuration (first found wins): --url/--key; COFFER_URL/COFFER_KEY; the profile written by
"coffer login" (--profile NAME or COFFER_PROFILE, default "default") in $XDG_CONFIG_HOME/coffer;
the address http://127.0.0.1:7373. Files from --resume-threshold (default 64MiB) up are uploaded
resumably (tus); rerun an interrupted command to continue it.`

/** The `coffer` command line: every command, its options and its help. */
export function createProgram(): CommandType {
  const program = new Command('coffer')
  program
    .description('Coffer from the shell: copy, list, sync and share files; manage buckets and keys')
    .option('--url <url>', 'service address (env COFFER_URL)')
    .option('--key <key>', 'API key or JWT (env COFFER_KEY)')
    .option('--profile <name>', 'profile written by "coffer login" (env COFFER_PROFILE)')
    .option('--debug', 'print stack traces')
    .addHelpText('after', `${CONFIG_HELP}\n${EXIT_HELP}`)
  const client = (): Promise<Client> => connect(program.opts<ConnectionOptions>())
  const withClient =
    (action: (client: Client, ...args: never[]) => Promise<void>): Action =>
    async (...args: unknown[]) =>
      (action as (client: Client, ...a: unknown[]) => Promise<void>)(await client(), ...args)

  objectCommands(program, withClient)
  adminCommands(program, withClient)
  program
    .command('login')
    .description('check a key against the service and save it with the address as a profile (0600)')
    .action(() => login(program.opts<ConnectionOptions>()))
  program
    .command('serve')
    .description('start the service here (as "npm start"; configured by the environment)')
    .option('--port <port>', 'port (env PORT, default 7373; 0 for any free port)')
    .option('--host <host>', 'interface (env HOST, default 127.0.0.1)')
    .option('--data-dir <dir>', 'data directory (env COFFER_DATA_DIR, default ./data)')
    .action(serve)
  return program
}

type WithClient = (action: (client: Client, ...args: never[]) => Promise<void>) => Action

/** Adds the options of commands that transfer files. */
function transferOptions(command: CommandType): CommandType {
  return command
    .option('--concurrency <n>', 'transfers at a time', '4')
    .option('--resume-threshold <size>', 'upload resumably (tus) from this size', '64MiB')
}

function objectCommands(program: CommandType, withClient: WithClient): void {
  program
    .command('ls [target]')
    .description('list buckets, or the objects under coffer://BUCKET[/PREFIX]')
    .option('-r, --recursive', 'every key under the prefix, not one level')
    .option('--json', 'JSON output')
    .action(withClient(ls))
  for (const [name, action, description] of [
    ['cp', cp, 'copy files: local ↔ coffer://BUCKET/KEY, or coffer:// → coffer://; -r for folders'],
    ['mv', mv, 'move files (copy, then delete the source; within a bucket on the service)'],
  ] as const) {
    transferOptions(program.command(`${name} <src> <dst>`).description(description))
      .option('-r, --recursive', 'every file under a folder or prefix')
      .action(withClient(action))
  }
  transferOptions(
    program
      .command('sync <src> <dst>')
      .description('mirror a local folder to a prefix, or a prefix to a local folder (one way)')
      .option('--delete', 'delete files that are only at the destination')
      .option('--dry-run', 'print what would be done; change nothing')
      .option('--json', 'a JSON report instead of lines'),
  ).action(withClient(sync))
  program.command('cat <url>').description('write an object to stdout').action(withClient(cat))
  program
    .command('stat <url>')
    .description("an object's size, type, etag, date and metadata")
    .option('--json', 'JSON output')
    .action(withClient(stat))
  program
    .command('rm <url>')
    .description('delete an object, or with -r every object under a prefix')
    .option('-r, --recursive', 'delete every object under the prefix')
    .option('--force', 'do not ask (required with -r when stdin is not a terminal)')
    .action(withClient(rm))
  program
    .command('presign <url>')
    .description('print a signed URL for an object')
    .option('--expires <duration>', 'lifetime: 30s, 15m, 1h, 7d', '1h')
    .option('--put', 'a URL to upload with PUT instead of downloading')
    .action(withClient(presign))
}

function adminCommands(program: CommandType, withClient: WithClient): void {
  const buckets = program.command('buckets').description('list, create, change and delete buckets')
  buckets
    .command('ls')
    .description('buckets and their policies')
    .option('--json', 'JSON output')
    .action(withClient(bucketsLs))
  for (const [name, action, description] of [
    ['create', bucketsCreate, 'create a bucket (admin)'],
    ['update', bucketsUpdate, "change a bucket's policy (admin); 'none' clears a limit"],
  ] as const) {
    buckets
      .command(`${name} <name>`)
      .description(description)
      .addOption(new Option('--public', 'anyone may read its objects'))
      .addOption(new Option('--no-public', 'only credentials may read'))
      .option('--max-file-size <size>', 'largest object: 5MiB, 1GiB, … or none')
      .option('--allowed-types <types>', 'comma-separated types (image/*,application/pdf) or none')
      .option('--quota-bytes <size>', 'bytes the bucket may hold, or none')
      .option('--quota-objects <n>', 'objects the bucket may hold, or none (sent only when given)')
      .option('--json', 'print the bucket as JSON')
      .action(withClient(action))
  }
  buckets.command('rm <name>').description('delete an empty bucket (admin)').action(withClient(bucketsRm))

  const keys = program.command('keys').description('list, create and revoke API keys (admin)')
  keys
    .command('ls')
    .description('every API key, without tokens')
    .option('--json', 'JSON output')
    .action(withClient(keysLs))
  keys
    .command('create <name>')
    .description('create an API key; its token is printed once')
    .requiredOption(
      '--scope <scope>',
      'BUCKET[/PREFIX]:PERMS, repeatable; PERMS of read,write,delete,list,sign,admin; * is every bucket',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--expires <duration>', 'lifetime: 30d, 12h, …')
    .option('--json', 'JSON output (the key and its token)')
    .action(withClient(keysCreate))
  keys.command('revoke <id>').description('revoke an API key').action(withClient(keysRevoke))

  program
    .command('usage [bucket]')
    .description("the service's usage, or a bucket's: bytes, objects, quotas, traffic per day")
    .option('--json', 'JSON output')
    .action(withClient(usage))
  program
    .command('reconcile')
    .description("run the index's reconcile job once (admin) and print its report")
    .option('--json', 'one line of JSON')
    .action(withClient(reconcile))
}
