import { normalizeKey } from '@coffer/core'
import { createExport } from '@coffer/exports'
import { Type } from 'typebox'
import { authorize, principalOf } from '../domain/auth/authorize.ts'
import { bucketTarget, EXPORTS_BUCKET, exportFolder } from '../domain/exports/export-folder.ts'
import { parseExportRequest } from '../domain/exports/export-request.ts'
import type { AppContext } from '../http/app-context.ts'
import { presign } from '../http/presign.ts'
import { bodyOf } from '../http/receive-object.ts'
import { clientGone } from '../http/serve-object.ts'
import type { App } from '../http/typed-app.ts'
import { ERROR_RESPONSES, ExportJson } from './schemas.ts'

/** A signed link lasts at most 7 days (SigV4's limit, kept for Coffer's own links too). */
const MAX_LINK_SECONDS = 7 * 24 * 3600

/**
 * `POST /v1/exports?options=<JSON>`: the body's NDJSON rows become a CSV, JSON, NDJSON, XLSX or PDF file
 * in the `exports` bucket, under the caller's folder (its scope's prefix), streamed end to end. The
 * export expires (default 7 days), and the answer carries a signed link valid until then. Register
 * in a scope whose content-type parser leaves bodies unread.
 */
export function exportRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/v1/exports',
    {
      schema: {
        tags: ['exports'],
        summary: 'Export rows (NDJSON body) as a file with a download link',
        description:
          'options (query, URL-encoded JSON): { format: csv|json|ndjson|xlsx|pdf, filename, columns?, title?, ' +
          'expiresIn? (seconds, default 604800) }. Body: one JSON object a line. Bad lines answer 400 and ' +
          'store nothing.',
        querystring: Type.Object({ options: Type.String() }),
        response: { 201: ExportJson, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const principal = await principalOf(ctx, request)
      const options = parseExportRequest(request.query.options)
      const prefix = exportFolder(principal) ?? ''
      const objects = await authorize(ctx, request, EXPORTS_BUCKET, [prefix, 'write'])
      // As an upload: the caller's upload slots, the body's idle limits, an abort when the client goes;
      // the body is a stream of its own, so a refused export can still answer before closing.
      const release = ctx.bodyLimits.acquire(objects.actor.id)
      const result = await createExport(bucketTarget(objects), bodyOf(request.raw, ctx.bodyLimits), {
        ...options,
        prefix,
        signal: clientGone(request, reply),
      }).finally(release)
      const link = await presign(ctx, objects, principal, normalizeKey(result.key), {
        method: 'GET',
        expiresIn: Math.min(options.expiresIn, MAX_LINK_SECONDS),
      })
      reply.code(201)
      return {
        key: result.key,
        size: result.size,
        contentType: result.contentType,
        filename: result.filename,
        rows: result.rows,
        url: link.url,
        expiresAt: (result.expiresAt ?? new Date(link.expiresAt)).toISOString(),
      }
    },
  )
}
