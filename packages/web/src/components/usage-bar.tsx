import type { Usage } from '../api/types.ts'
import { formatBytes } from '../lib/format.ts'

/** Bytes used against the quota, as a bar; without a quota, just the figures. */
export function UsageBar(props: { usage: Usage; label: string }) {
  const { bytes, objects, quotaBytes, quotaObjects } = props.usage
  const text =
    `${formatBytes(bytes)}${quotaBytes ? ` of ${formatBytes(quotaBytes)}` : ''} · ` +
    `${objects.toLocaleString()}${quotaObjects ? ` of ${quotaObjects.toLocaleString()}` : ''} objects`
  return (
    <div className="usage">
      {!quotaBytes ? null : (
        <meter
          className="usage-bar"
          aria-label={props.label}
          min={0}
          max={quotaBytes}
          value={Math.min(bytes, quotaBytes ?? bytes)}
          low={(quotaBytes ?? 0) * 0.8}
          high={(quotaBytes ?? 0) * 0.95}
          optimum={0}
          title={text}
        />
      )}
      <span className="usage-text">{text}</span>
    </div>
  )
}
