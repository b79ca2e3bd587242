import { Type } from 'typebox'
import type { App } from '../app-context.ts'
import { type Pending, TUS_PATH, type TusUploads } from '../uploads/tus-uploads.ts'

const tags = ['uploads']
const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{32}$' }) })

/**
 * Sends tus's answer, or the error the finished upload failed with (413, 415, …) as a problem
 * document. Register in a scope whose content-type parser leaves bodies unread: tus reads them.
 */
async function answer(uploads: TusUploads, request: Parameters<TusUploads['handle']>[0], pending?: Pending) {
  const response = await uploads.handle(request, pending)
  if (pending?.failure !== undefined) {
    await response.body?.cancel()
    throw pending.failure
  }
  return response
}

/**
 * Resumable uploads, tus 1.0 (creation, HEAD, PATCH, termination) under `/v1/uploads`.
 * Upload-Metadata names the `bucket`, the `key` (or a `filename` for a unique name, with an optional
 * `prefix`) and the `contentType`; the caller needs `write` on the key, and only the credential that
 * created an upload may continue, inspect or end it.
 */
export function tusRoutes(app: App, uploads: TusUploads): void {
  app.options(TUS_PATH, { schema: { tags, summary: 'tus discovery' } }, (request) => answer(uploads, request))

  app.post(
    TUS_PATH,
    {
      schema: {
        tags,
        summary: 'Create a resumable upload (tus)',
        description:
          'Upload-Length and Upload-Metadata (bucket, key or filename, contentType) are required; ' +
          'answers 201 with the upload URL in Location and the key in X-Coffer-Key.',
      },
    },
    async (request, reply) => {
      const pending = await uploads.authorizeCreation(request)
      reply.header('x-coffer-key', pending.session.key)
      try {
        const response = await answer(uploads, request, pending)
        if (response.status !== 201) await uploads.sessions.delete(pending.session.id)
        return response
      } catch (error) {
        await uploads.sessions.delete(pending.session.id)
        throw error
      }
    },
  )

  const one = `${TUS_PATH}/:id`
  app.options(one, { schema: { tags, summary: 'tus discovery', params: IdParams } }, (request) =>
    answer(uploads, request),
  )

  app.head(
    one,
    { schema: { tags, summary: "An upload's offset (tus)", params: IdParams } },
    async (request) => answer(uploads, request, await uploads.authorizeUpload(request, request.params.id)),
  )

  app.patch(
    one,
    {
      schema: {
        tags,
        summary: 'Append bytes at Upload-Offset (tus)',
        description:
          'The last PATCH stores the object (413, 415 when the bucket refuses it; nothing stored).',
        params: IdParams,
      },
    },
    async (request) => answer(uploads, request, await uploads.authorizeUpload(request, request.params.id)),
  )

  app.delete(
    one,
    { schema: { tags, summary: 'Terminate an upload (tus)', params: IdParams } },
    async (request) => {
      const { id } = request.params
      const response = await answer(uploads, request, await uploads.authorizeUpload(request, id))
      if (response.status === 204) await uploads.sessions.delete(id)
      return response
    },
  )
}
