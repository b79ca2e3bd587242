import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runtimeHeapFlags, START_FLAGS } from '../src/service/heap-tuning.ts'

const HEAP_TUNING = fileURLToPath(new URL('../src/service/heap-tuning.ts', import.meta.url))

/**
 * The young generation's size (MiB) in a Node process started with `flags` that runs `tuneHeap` and
 * then allocates ~300 MiB of short- and longer-lived objects, as a busy service does.
 */
function youngGenerationMiB(flags: string[], env: Record<string, string> = {}): number {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8'
    const { tuneHeap } = await import(${JSON.stringify(HEAP_TUNING)})
    tuneHeap()
    const kept = []
    for (let i = 0; i < 3e6; i++) {
      const o = { i, s: 'x' + i }
      if (i % 10 === 0) kept.push(o)
      if (kept.length > 2e4) kept.length = 0
    }
    const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')
    console.log(young.space_size / 1048576)
  `
  const out = execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  })
  return Number(out.trim())
}

describe('heap tuning', () => {
  it('pins the young generation only when the process started without a semi-space limit', () => {
    const pin = '--semi-space-growth-factor=1'
    expect(runtimeHeapFlags([], undefined)).toContain(pin)
    expect(runtimeHeapFlags(['--inspect'], '--max-old-space-size=512')).toContain(pin)
    expect(runtimeHeapFlags(START_FLAGS, undefined)).not.toContain(pin)
    expect(runtimeHeapFlags([], '--enable-source-maps --max-semi-space-size=8')).not.toContain(pin)
    expect(runtimeHeapFlags(['--max_semi_space_size=2'], undefined)).not.toContain(pin)
    for (const argv of [[], START_FLAGS]) {
      expect(runtimeHeapFlags(argv, undefined)).toContain('--scavenger-max-new-space-capacity-mb=2')
      expect(runtimeHeapFlags(argv, undefined)).toContain('--heap-growing-percent=50')
    }
  })

  it('sets only flags this V8 knows (setFlagsFromString ignores unknown ones silently)', () => {
    // On the command line an unknown flag is an error ("bad option"), so each must start a process.
    for (const flag of runtimeHeapFlags([], undefined)) {
      expect(() => execFileSync(process.execPath, [flag, '-e', '0'], { stdio: 'pipe' })).not.toThrow()
    }
    expect(() =>
      execFileSync(process.execPath, ['--no-such-v8-flag=1', '-e', '0'], { stdio: 'pipe' }),
    ).toThrow()
  })

  it('keeps the young generation at 8 MiB or less, started with START_FLAGS or not', () => {
    // V8's default here grows it to 32 MiB under the same allocations.
    expect(youngGenerationMiB([])).toBeLessThanOrEqual(2)
    expect(youngGenerationMiB(START_FLAGS)).toBeGreaterThan(2)
    expect(youngGenerationMiB(START_FLAGS)).toBeLessThanOrEqual(8)
    const fromNodeOptions = youngGenerationMiB([], { NODE_OPTIONS: START_FLAGS.join(' ') })
    expect(fromNodeOptions).toBeGreaterThan(2)
    expect(fromNodeOptions).toBeLessThanOrEqual(8)
  })

  it('is how `npm start` runs the service', () => {
    const root = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'))
    expect(root.scripts.start).toContain(`node ${START_FLAGS.join(' ')} packages/server/dist/main.js`)
  })
})
