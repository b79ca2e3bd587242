import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { tusRefusal, withoutCors } from '../http/tus-answers.ts'
import { takeFailure } from '../http/tus-failure.ts'
import { keyHeader, type Pending, TUS_PATH, type TusUploads } from '../http/tus-uploads.ts'
import type { App } from '../http/typed-app.ts'

const tags = ['uploads']
const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{32}$' }) })

/**
 * Sends tus's answer; a refusal of tus's own (text/plain) or the error the finished upload failed with
 * (413, 415, …) is thrown, so that it goes out as a problem document. Register in a scope whose
 * content-type parser leaves bodies unread: tus reads them.
 */
async function answer(uploads: TusUploads, request: FastifyRequest, reply: FastifyReply, pending?: Pending) {
  // Per tus 1.0, every answer but OPTIONS's carries Tus-Resumable, problem documents included.
  if (request.method !== 'OPTIONS') reply.header('tus-resumable', '1.0.0')
  const response = withoutCors(await uploads.handle(request, pending))
  const failure = takeFailure(pending)
  if (failure !== undefined) {
    await response.body?.cancel()
    throw failure
  }
  if (response.status >= 400) throw tusRefusal(response.status, await response.text())
  return response
}

/**
 * Resumable uploads, tus 1.0 (creation, HEAD, PATCH, termination) under `/v1/uploads`.
 * Upload-Metadata names the `bucket`, the `key` (or a `filename` for a unique name, with an optional
 * `prefix`) and the `contentType`; the caller needs `write` on the key, and only the credential that
 * created an upload may continue, inspect or end it. `X-Coffer-Key` holds the key percent-encoded
 * (UTF-8, per segment; read it with `decodeURIComponent`). Every refusal is a problem document.
 */
export function tusRoutes(app: App, uploads: TusUploads): void {
  app.options(TUS_PATH, { schema: { tags, summary: 'tus discovery' } }, (request, reply) =>
    answer(uploads, request, reply),
  )

  app.post(
    TUS_PATH,
    {
      schema: {
        tags,
        summary: 'Create a resumable upload (tus)',
        description:
          'Upload-Length (or Upload-Defer-Length: 1) and Upload-Metadata (bucket, key or filename, ' +
          'contentType) are required; answers 201 with the upload URL in Location and the key, ' +
          'percent-encoded, in X-Coffer-Key. 403 when the credential has its most unfinished uploads ' +
          'open; Upload-Concat is not supported (400).',
      },
    },
    async (request, reply) => {
      const pending = await uploads.authorizeCreation(request)
      // Whatever fails from here, nothing of the upload stays: neither its session nor staged bytes.
      try {
        if (request.headers['content-type'] === 'application/offset+octet-stream') {
          await uploads.admitBytes(request, pending)
        }
        const response = await answer(uploads, request, reply, pending)
        if (response.status !== 201) throw new Error(`tus created no upload (${response.status})`)
        reply.header('x-coffer-key', keyHeader(pending.session.key))
        return response
      } catch (error) {
        await uploads.forget(pending.session.id)
        throw error
      }
    },
  )

  const one = `${TUS_PATH}/:id`
  app.options(one, { schema: { tags, summary: 'tus discovery', params: IdParams } }, (request, reply) =>
    answer(uploads, request, reply),
  )

  app.head(
    one,
    { schema: { tags, summary: "An upload's offset (tus)", params: IdParams } },
    async (request, reply) =>
      answer(uploads, request, reply, await uploads.authorizeUpload(request, request.params.id)),
  )

  app.patch(
    one,
    {
      schema: {
        tags,
        summary: 'Append bytes at Upload-Offset (tus)',
        description:
          'The bytes are refused before any is staged when they would pass the bucket’s size limit ' +
          '(413 TooLarge), the room its quota leaves with every staged byte counted (413 ' +
          'QuotaExceeded) or the service’s staging cap (503). The last PATCH stores the object ' +
          '(413, 415 when the bucket refuses it; nothing stored). 409 Conflict: ask HEAD for the offset.',
        params: IdParams,
      },
    },
    async (request, reply) => {
      const pending = await uploads.authorizeUpload(request, request.params.id)
      await uploads.admitBytes(request, pending)
      return answer(uploads, request, reply, pending)
    },
  )

  app.delete(
    one,
    { schema: { tags, summary: 'Terminate an upload (tus)', params: IdParams } },
    async (request, reply) => {
      const { id } = request.params
      const response = await answer(uploads, request, reply, await uploads.authorizeUpload(request, id))
      if (response.status === 204) await uploads.forget(id)
      return response
    },
  )
}
