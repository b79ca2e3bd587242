import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium } from 'playwright-core'

const WEB = fileURLToPath(new URL('..', import.meta.url))
const ROOT = join(WEB, '..', '..')

/** Debian's chromium (scripts/test-services.sh installs it); no browser is ever downloaded. */
export const CHROMIUM = process.env.COFFER_CHROMIUM ?? '/usr/bin/chromium'

/** Headless Chromium with a fresh profile (Playwright makes a temp user-data dir per launch). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

function newestUnder(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestUnder(join(path, name))))
}

/**
 * Builds the UI when `dist/` is missing or older than its sources (CI builds it in `npm ci`; a
 * developer who edited a component gets a fresh build), so the server serves what the test checks.
 */
export function ensureWebBuilt(): void {
  const index = join(WEB, 'dist', 'index.html')
  const sources = Math.max(newestUnder(join(WEB, 'src')), newestUnder(join(WEB, 'index.html')))
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], {
    cwd: WEB,
    stdio: 'pipe',
  })
}

/** Where the end-to-end tests put their screenshots (gitignored). */
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'web')
