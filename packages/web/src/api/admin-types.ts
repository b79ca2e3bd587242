import type { Scope } from './types.ts'

/** A share link (`/v1/buckets/:bucket/shares`). */
export interface Share {
  id: string
  bucket: string
  key: string
  /** The link, on the content origin. */
  url: string
  createdBy: string
  /** The name of the key that made it. */
  createdByName: string
  createdAt: string
  expiresAt: string
  downloads: number
  maxDownloads?: number
}

/** An API key as `GET /v1/keys` lists it (never with its token). */
export interface ApiKeyInfo {
  id: string
  name: string
  scopes: Scope[]
  createdAt: string
  expiresAt?: string
  revokedAt?: string
  lastUsedAt?: string
}

/** One event of the audit trail. */
export interface AuditEvent {
  id: string
  at: string
  actor: string
  ip: string | null
  action: string
  bucket: string | null
  key: string | null
  detail: Record<string, unknown> | null
}

/** What the audit trail is filtered by; empty fields do not filter. */
export interface AuditQuery {
  bucket?: string
  actor?: string
  action?: string
  cursor?: string
  limit?: number
}

/** One day of one series' traffic (`GET /v1/usage/series`). */
export interface UsagePoint {
  day: string
  series: string
  bytesIn: number
  bytesOut: number
  requests: number
}
