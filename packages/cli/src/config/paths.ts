import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * Where `coffer login` keeps profiles: `$XDG_CONFIG_HOME/coffer`, by default `~/.config/coffer`
 * (per the XDG Base Directory specification, a relative XDG path is ignored).
 */
export function configDir(): string {
  return join(xdgHome('XDG_CONFIG_HOME', '.config'), 'coffer')
}

/**
 * Where resumable uploads remember their upload URLs: `$XDG_STATE_HOME/coffer`, by default
 * `~/.local/state/coffer`. State, not configuration: losing it only means starting an upload over.
 */
export function stateDir(): string {
  return join(xdgHome('XDG_STATE_HOME', join('.local', 'state')), 'coffer')
}

function xdgHome(variable: string, fallback: string): string {
  const value = process.env[variable]
  return value?.startsWith('/') ? value : join(homedir(), fallback)
}
