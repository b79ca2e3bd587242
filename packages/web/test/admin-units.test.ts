import { describe, expect, it } from 'vitest'
import { policyOf } from '../src/components/bucket-form.tsx'
import { periodDays, seriesOf } from '../src/components/usage-chart.tsx'
import { pathOf, type Route, routeOf } from '../src/lib/router.ts'

describe('routes of the shared links and admin pages', () => {
  it('round-trips through paths, and sends unknown ones to the bucket list', () => {
    const routes: Route[] = [
      { page: 'shares', bucket: 'my-docs' },
      { page: 'admin', section: 'keys' },
      { page: 'admin', section: 'usage' },
      { page: 'admin', section: 'audit' },
    ]
    for (const route of routes) expect(routeOf(pathOf(route))).toEqual(route)
    expect(pathOf({ page: 'shares', bucket: 'docs' })).toBe('/shares/docs')
    expect(routeOf('/admin/nothing')).toEqual({ page: 'buckets' })
    expect(routeOf('/shares/')).toEqual({ page: 'buckets' })
    expect(routeOf('/shares/%E0%A4')).toEqual({ page: 'shares', bucket: '%E0%A4' })
  })
})

describe('the usage chart', () => {
  const now = Date.parse('2026-03-10T12:00:00Z')
  it('spans the period day by day, today last', () => {
    expect(periodDays(3, now)).toEqual(['2026-03-08', '2026-03-09', '2026-03-10'])
  })

  it('makes one line per series, zero on quiet days, the biggest first', () => {
    const days = periodDays(3, now)
    const point = (day: string, series: string, bytesOut: number) => ({
      day,
      series,
      bytesOut,
      bytesIn: 0,
      requests: 1,
    })
    const series = seriesOf(
      [
        point('2026-03-08', 'small', 5),
        point('2026-03-10', 'big', 100),
        point('2026-03-09', 'big', 50),
        // Outside the period: left out.
        point('2026-03-01', 'big', 1000),
      ],
      days,
      'bytesOut',
    )
    expect(series).toEqual([
      { name: 'big', values: [0, 50, 100], total: 150 },
      { name: 'small', values: [5, 0, 0], total: 5 },
    ])
    expect(seriesOf([point('2026-03-10', 'big', 100)], days, 'requests')[0]?.values).toEqual([0, 0, 1])
  })
})

describe('the longest share link in the policy form', () => {
  const fields = { public: false, maxFileSize: '', allowedTypes: '', quotaBytes: '', quotaObjects: '' }
  it('is sent when chosen, cleared to the default when editing, and left out when untouched', () => {
    expect(policyOf({ ...fields, maxShareSeconds: String(30 * 86400) }, false)).toMatchObject({
      maxShareSeconds: 30 * 86400,
    })
    expect(policyOf({ ...fields, maxShareSeconds: '' }, true)).toMatchObject({ maxShareSeconds: null })
    expect(policyOf(fields, true)).not.toHaveProperty('maxShareSeconds')
    expect(policyOf({ ...fields, maxShareSeconds: '' }, false)).not.toHaveProperty('maxShareSeconds')
  })
})
