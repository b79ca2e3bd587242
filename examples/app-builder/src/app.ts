import { type CofferClient, isCofferError } from '@coffer/client'
import Fastify, { type FastifyInstance } from 'fastify'
import { generatePrototype, prototypeArchive } from './prototype-archive.ts'
import { issueUploadToken } from './upload-token.ts'

/** What the builder's backend needs: a Coffer client with its own key, and the JWT secret it shares. */
export interface AppOptions {
  /** A client with the backend's API key (it creates sites and exports, and sets up avatars). */
  coffer: CofferClient
  /** The HS256 secret Coffer verifies browser tokens with (`COFFER_JWT_SECRET`). */
  jwtSecret: string
}

const Id = { type: 'string', pattern: '^[a-z0-9-]{1,40}$' } as const

/**
 * The builder's backend: four routes, one per use of Coffer. Errors of Coffer keep their status
 * (a `CofferError` carries it), so the browser sees a refusal as Coffer gave it.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { coffer, jwtSecret } = options
  const app = Fastify()
  // The renders every profile picture gets: the `avatars` bucket's named variants (its preset has
  // thumb, small, medium and large squares), read once.
  const avatars = await coffer.buckets.get('avatars')

  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    const status = isCofferError(error) && error.status >= 400 ? error.status : (error.statusCode ?? 500)
    reply.code(status).send({ error: error.message, code: isCofferError(error) ? error.code : undefined })
  })

  // 1. Documents: a short token for the browser, scoped to the project's folder.
  app.post<{ Params: { id: string } }>(
    '/projects/:id/upload-token',
    { schema: { params: { type: 'object', properties: { id: Id } } } },
    async (request) => ({
      ...(await issueUploadToken(jwtSecret, 'builder-user', request.params.id)),
      cofferUrl: coffer.url,
    }),
  )

  // 2. Prototypes: the generated site, deployed as its own origin. Sites are private until made
  // public: the answer carries a preview link (a week) that opens it for whoever holds it.
  app.post<{ Params: { id: string }; Body: { title: string; public?: boolean } }>(
    '/projects/:id/prototype',
    {
      schema: {
        params: { type: 'object', properties: { id: Id } },
        body: {
          type: 'object',
          required: ['title'],
          properties: { title: { type: 'string', maxLength: 200 }, public: { type: 'boolean' } },
        },
      },
    },
    async (request) => {
      const archive = prototypeArchive(generatePrototype(request.body.title))
      const name = `proto-${request.params.id}`
      const { site, deploy } = await coffer.sites.deploy(name, archive)
      if (request.body.public === true && !site.public) await coffer.sites.update(name, { public: true })
      const preview =
        request.body.public === true ? undefined : await coffer.sites.preview(name, 7 * 24 * 3600)
      return { url: `${site.url}/`, deploy: deploy.id, previewUrl: preview?.url }
    },
  )

  // 3. Exports: rows into an XLSX and a PDF, with download links that expire with the files.
  app.post<{ Params: { id: string }; Body: { rows: Record<string, unknown>[] } }>(
    '/projects/:id/exports',
    {
      schema: {
        params: { type: 'object', properties: { id: Id } },
        body: {
          type: 'object',
          required: ['rows'],
          properties: { rows: { type: 'array', items: { type: 'object' }, maxItems: 10_000 } },
        },
      },
    },
    async (request) => {
      const { rows } = request.body
      const filename = `project-${request.params.id}-report`
      const expiresIn = 24 * 3600
      const [xlsx, pdf] = await Promise.all([
        coffer.exports.create(rows, { format: 'xlsx', filename, expiresIn }),
        coffer.exports.create(rows, {
          format: 'pdf',
          filename,
          title: `Project ${request.params.id}`,
          expiresIn,
        }),
      ])
      return { xlsx: xlsx.url, pdf: pdf.url, expiresAt: xlsx.expiresAt }
    },
  )

  // 4. Avatars: the picture streamed to the public `avatars` bucket; its variants' URLs back.
  app.addContentTypeParser(/^image\//, (_request, payload, done) => done(null, payload))
  app.put<{ Params: { id: string }; Body: AsyncIterable<Uint8Array> }>(
    '/users/:id/avatar',
    { schema: { params: { type: 'object', properties: { id: Id } } } },
    async (request) => {
      const key = `users/${request.params.id}/avatar`
      const size = Number(request.headers['content-length'] ?? Number.NaN)
      const info = await coffer.objects.upload('avatars', key, request.body, {
        contentType: request.headers['content-type'],
        size: Number.isSafeInteger(size) ? size : undefined,
      })
      const variants = Object.fromEntries(
        Object.keys(avatars.variants ?? {}).map((variant) => [
          variant,
          coffer.objects.renderUrl('avatars', key, { variant, v: info.etag }),
        ]),
      )
      return { url: coffer.objects.publicUrl('avatars', key), variants }
    },
  )
  return app
}
