/** `coffer --help`: where the settings come from. */
export const CONFIG_HELP = `
Configuration (first found wins): --url/--key; COFFER_URL/COFFER_KEY; the profile written by
"coffer login" (--profile NAME or COFFER_PROFILE, default "default") in $XDG_CONFIG_HOME/coffer;
the address http://127.0.0.1:7373. Files from --resume-threshold (default 64MiB) up are uploaded
resumably (tus); rerun an interrupted command to continue it.`

/** The help of transferring commands: how `--include`/`--exclude` globs match. */
export const FILTER_HELP = `
Globs are matched against names relative to the source folder or prefix: one without "/" matches the
last segment at any depth (*.tmp), one with "/" the whole path (photos/**/*.jpg). Every name is taken
unless a rule matches it; of the matching rules the last one wins (--exclude '*' --include '*.pdf').
--cache-control and --metadata travel only in one PUT: large files given them are not resumable.`

/** `coffer login --help`: what it reads and writes. */
export const LOGIN_HELP = `
What login reads, first found wins:
  address   --url, COFFER_URL, else http://127.0.0.1:7373
  key       --key, COFFER_KEY, else one line from stdin (asked for and not shown on a terminal;
            prefer stdin or COFFER_KEY: a --key stays in the shell's history)
  profile   --profile, COFFER_PROFILE, else "default"
It checks the key against the service, then writes $XDG_CONFIG_HOME/coffer/PROFILE.json (default
~/.config/coffer, mode 0600). Later commands use it when no --url/--key or COFFER_URL/COFFER_KEY
is given. The first admin key is the one "npm start" (or "coffer serve") printed on its first run.

Example:
  coffer login --url https://files.example.com < key.txt
  coffer whoami`
