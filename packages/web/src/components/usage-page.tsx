import type { UsagePoint } from '@coffer/client'
import { useEffect, useMemo, useState } from 'react'
import type { CofferClient } from '../api/coffer-client.ts'
import { messageOf } from '../api/people-words.ts'
import { formatBytes } from '../lib/format.ts'
import { ErrorText } from './modal.tsx'
import { periodDays, seriesOf, UsageChart, type UsageMetric } from './usage-chart.tsx'

const METRICS: { value: UsageMetric; label: string }[] = [
  { value: 'bytesOut', label: 'Downloaded' },
  { value: 'bytesIn', label: 'Uploaded' },
  { value: 'requests', label: 'Requests' },
]

/** Traffic over time (service admins), by bucket or by API key name, as a chart. */
export function UsagePage(props: { client: CofferClient }) {
  const { client } = props
  const [by, setBy] = useState<'bucket' | 'name'>('bucket')
  const [days, setDays] = useState(30)
  const [metric, setMetric] = useState<UsageMetric>('bytesOut')
  const [points, setPoints] = useState<UsagePoint[] | undefined>()
  const [error, setError] = useState<string | undefined>()
  useEffect(() => {
    let live = true
    setError(undefined)
    client.usageSeries(by, { days }).then(
      (p) => live && setPoints(p),
      (e: unknown) => live && setError(messageOf(e)),
    )
    return () => {
      live = false
    }
  }, [client, by, days])
  const period = useMemo(() => periodDays(days), [days])
  const series = useMemo(() => seriesOf(points ?? [], period, metric), [points, period, metric])
  const format = metric === 'requests' ? (n: number) => n.toLocaleString() : formatBytes
  const metricLabel = METRICS.find((m) => m.value === metric)?.label ?? ''
  return (
    <main className="page admin-page">
      <div className="page-head">
        <h1>Usage</h1>
      </div>
      <div className="filters">
        <label>
          By
          <select value={by} onChange={(e) => setBy(e.target.value as 'bucket' | 'name')}>
            <option value="bucket">Bucket</option>
            <option value="name">API key name</option>
          </select>
        </label>
        <label>
          Show
          <select value={metric} onChange={(e) => setMetric(e.target.value as UsageMetric)}>
            {METRICS.map((m) => (
              <option key={m.value} value={m.value}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Period
          <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
            <option value={7}>7 days</option>
            <option value={30}>30 days</option>
            <option value={90}>90 days</option>
          </select>
        </label>
      </div>
      {error === undefined ? null : <ErrorText message={error} />}
      {points === undefined && error === undefined ? <p aria-busy="true">Loading…</p> : null}
      {points !== undefined && series.length === 0 ? <p>No traffic in this period.</p> : null}
      {series.length > 0 ? (
        <UsageChart
          days={period}
          series={series}
          format={format}
          label={`${metricLabel} per day by ${by === 'bucket' ? 'bucket' : 'API key name'}, last ${days} days`}
        />
      ) : null}
    </main>
  )
}
