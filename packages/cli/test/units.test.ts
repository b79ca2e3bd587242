import { describe, expect, it } from 'vitest'
import { nameFilter } from '../src/transfer/name-filter.ts'
import { rateMeter, rateText } from '../src/transfer/rate-meter.ts'
import { formatDuration, parseDuration } from '../src/units.ts'

describe('units', () => {
  it('reads durations as Go and rclone write them, and refuses the rest', () => {
    expect(parseDuration('90')).toBe(90)
    expect(parseDuration('15m')).toBe(900)
    expect(parseDuration('2h30m')).toBe(9000)
    expect(parseDuration('1d12h')).toBe(129_600)
    expect(parseDuration('1w')).toBe(604_800)
    for (const bad of ['', '30m2h', '1h1h', '2x', 'h', '1.5h', '-1h'])
      expect(() => parseDuration(bad)).toThrow(/bad duration/)
    expect(formatDuration(42)).toBe('42s')
    expect(formatDuration(125)).toBe('2m05s')
    expect(formatDuration(3720)).toBe('1h02m')
  })

  it('gives the speed from the bytes sent this run, and the time left', () => {
    let clock = 0
    const meter = rateMeter(() => clock)
    expect(meter(1000)).toBeUndefined() // a resumed upload: 1000 bytes sent by an earlier run
    clock = 500
    expect(meter(2000)).toBeUndefined()
    clock = 2000
    const rate = meter(1000 + 4 * 1024 * 1024)
    expect(rate).toBe(2 * 1024 * 1024)
    expect(rateText(rate, 120 * 1024 * 1024)).toBe('2.0 MiB/s, 1m00s left')
    expect(rateText(undefined, 10)).toBe('-/s, - left')
    expect(rateText(0, 10)).toBe('0 B/s, - left')
  })

  it('filters names by the last matching glob, a glob without / by the last segment', () => {
    const only = nameFilter([
      { include: false, glob: '*' },
      { include: true, glob: '*.pdf' },
      { include: false, glob: 'drafts/**' },
    ])
    expect(['a.pdf', 'x/b.pdf', 'drafts/c.pdf', 'd.txt', '.e.pdf'].filter(only)).toEqual([
      'a.pdf',
      'x/b.pdf',
      '.e.pdf',
    ])
    expect(['a', 'b/c'].filter(nameFilter())).toEqual(['a', 'b/c'])
  })
})
