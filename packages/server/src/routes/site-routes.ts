import { normalizePrefix, StorageError } from '@coffer/core'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { authorize, principalOf } from '../domain/auth/authorize.ts'
import { allows } from '../domain/auth/scopes.ts'
import type { BucketObjects } from '../domain/buckets/bucket-objects.ts'
import type { ArchiveLimits } from '../domain/sites/archive-limits.ts'
import { deployFromBucket } from '../domain/sites/deploy-from-bucket.ts'
import { deployPrefix, deploySite, removeFiles, siteFolder } from '../domain/sites/deploy-site.ts'
import { checkSiteName } from '../domain/sites/site-name.ts'
import { PREVIEW_PATH, previewToken } from '../domain/sites/site-preview.ts'
import type { Deploy, Site } from '../domain/sites/site-store.ts'
import type { AppContext } from '../http/app-context.ts'
import { bodyOf, slotOwner } from '../http/receive-object.ts'
import { clientGone } from '../http/serve-object.ts'
import type { App } from '../http/typed-app.ts'
import {
  DeployedJson,
  ERROR_RESPONSES,
  SignedUrlJson,
  SiteDeploysJson,
  SiteJson,
  SiteListJson,
} from './schemas.ts'

const tags = ['sites']
/** The bucket every site's deploys are stored in. */
export const SITES_BUCKET = 'prototypes'

const SiteParams = Type.Object({
  site: Type.String({ maxLength: 63, description: 'Site name (a DNS label)' }),
})
const DeployParams = Type.Object({ site: Type.String({ maxLength: 63 }), id: Type.String({ maxLength: 40 }) })
function deployJson(deploy: Deploy) {
  const { id, files, bytes, spa, createdAt } = deploy
  return { id, files, bytes, spa, createdAt }
}

function siteJson(ctx: AppContext, site: Site) {
  const json = { name: site.name, url: ctx.siteUrl(site.name), public: site.public }
  const dates = { createdAt: site.createdAt, updatedAt: site.updatedAt }
  return site.currentDeploy === undefined
    ? { ...json, ...dates }
    : { ...json, current: site.currentDeploy, ...dates }
}

/** The request's site, checked, and the `prototypes` bucket's objects if the caller may do `permission` there. */
async function siteAccess(
  ctx: AppContext,
  request: FastifyRequest<{ Params: { site: string } }>,
  permission: 'read' | 'write' | 'delete' | 'list' | 'sign',
) {
  const site = checkSiteName(request.params.site)
  const objects = await authorize(ctx, request, SITES_BUCKET, [siteFolder(site), permission])
  return { site, objects }
}

/** What a JSON deploy request names: a bucket's folder to copy the deploy from. */
interface FromBucket {
  bucket: string
  prefix: string
}

/** The JSON body of a deploy from a bucket, checked: `{ bucket, prefix }` and nothing else. */
function fromBucketOf(body: unknown): FromBucket {
  const fields = typeof body === 'object' && body !== null ? Object.keys(body) : []
  const { bucket, prefix } = (body ?? {}) as Record<string, unknown>
  if (typeof bucket !== 'string' || typeof prefix !== 'string' || fields.length !== 2) {
    throw new StorageError('InvalidArgument', 'a JSON deploy body is { "bucket": string, "prefix": string }')
  }
  return { bucket, prefix }
}

/** The deploy a request asks for: its archive body streamed, or a bucket's folder copied. */
async function makeDeploy(
  ctx: AppContext,
  request: FastifyRequest,
  site: string,
  objects: BucketObjects,
  options: { activate: boolean; signal: AbortSignal; limits: Partial<ArchiveLimits> },
) {
  if (request.body === undefined) {
    return {
      deploy: await deploySite(ctx.sites, objects, site, bodyOf(request.raw, ctx.bodyLimits), options),
    }
  }
  const from = fromBucketOf(request.body)
  const raw = normalizePrefix(from.prefix)
  // A prefix names a folder: "build" is "build/", so that "build-old/" is not part of it.
  const prefix = raw === '' || raw.endsWith('/') ? raw : `${raw}/`
  const source = await authorize(ctx, request, from.bucket, [prefix, 'read'], [prefix, 'list'])
  const deploy = await deployFromBucket(ctx.sites, objects, site, { objects: source, prefix }, options)
  return { deploy, from: { bucket: from.bucket, prefix } }
}

/**
 * Deploys from a raw archive body, or from a bucket's folder named by a JSON body: registered in a
 * scope where no parser reads archive bodies.
 */
function deployRoute(app: App, ctx: AppContext): void {
  app.post(
    '/v1/sites/:site/deploys',
    {
      schema: {
        tags,
        summary: 'Deploy a zip or tar.gz archive, or a folder of a bucket, as a new deploy of the site',
        description:
          'The body is the archive (any type but JSON), or application/json { bucket, prefix } to copy ' +
          'the objects under the prefix (the caller needs read and list there). Live at once unless ' +
          'activate=false.',
        params: SiteParams,
        querystring: Type.Object({ activate: Type.Optional(Type.Boolean({ default: true })) }),
        response: { 201: DeployedJson, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { site, objects } = await siteAccess(ctx, request, 'write')
      const release = ctx.bodyLimits.acquire(slotOwner(objects, siteFolder(site)))
      try {
        const options = {
          activate: request.query.activate ?? true,
          signal: clientGone(request, reply),
          limits: ctx.siteLimits,
        }
        const { deploy, from } = await makeDeploy(ctx, request, site, objects, options)
        await ctx.catalog.audit(objects.actor, {
          action: 'site.deploy',
          bucket: SITES_BUCKET,
          key: deployPrefix(site, deploy.id),
          detail: {
            site,
            id: deploy.id,
            files: deploy.files,
            bytes: deploy.bytes,
            ...(from ? { from } : {}),
          },
        })
        return reply
          .code(201)
          .send({ site: siteJson(ctx, await ctx.sites.require(site)), deploy: deployJson(deploy) })
      } finally {
        release()
      }
    },
  )
}

/** Parses a JSON deploy body (a few hundred bytes at most); a malformed one is a 400. */
function parseSmallJson(
  _request: FastifyRequest,
  body: string,
  done: (error: Error | null, body?: unknown) => void,
) {
  try {
    done(null, JSON.parse(body))
  } catch (error) {
    done(new StorageError('InvalidArgument', 'the JSON body does not parse', { cause: error }))
  }
}

/** Sites: deploy, list deploys, switch the live one (rollback is a switch back), delete, preview links. */
export async function siteRoutes(app: App, ctx: AppContext): Promise<void> {
  await app.register(async (scope) => {
    // The archive is streamed to the extractor: no parser reads it.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null))
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 4096 }, parseSmallJson)
    deployRoute(scope.withTypeProvider<TypeBoxTypeProvider>(), ctx)
  })

  app.get(
    '/v1/sites',
    {
      schema: {
        tags,
        summary: 'The sites whose deploys the caller may list (list on prototypes/sites/<site>/), by name',
        response: { 200: SiteListJson, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { scopes } = await principalOf(ctx, request)
      const sites = (await ctx.sites.list()).filter((site) =>
        allows(scopes, SITES_BUCKET, siteFolder(site.name), 'list'),
      )
      return { sites: sites.map((site) => siteJson(ctx, site)) }
    },
  )

  app.get(
    '/v1/sites/:site',
    {
      schema: {
        tags,
        summary: 'A site and its deploys, newest first',
        params: SiteParams,
        response: {
          200: SiteDeploysJson,
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const { site } = await siteAccess(ctx, request, 'list')
      const found = await ctx.sites.require(site)
      return { site: siteJson(ctx, found), deploys: (await ctx.sites.deploys(site)).map(deployJson) }
    },
  )

  app.patch(
    '/v1/sites/:site',
    {
      schema: {
        tags,
        summary: 'Switch the live deploy (atomically) or the site visibility',
        params: SiteParams,
        body: Type.Object(
          { current: Type.Optional(Type.String({ maxLength: 40 })), public: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: { 200: SiteJson, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { site, objects } = await siteAccess(ctx, request, 'write')
      const change = { ...request.body }
      const updated = await ctx.sites.update(site, change)
      await ctx.catalog.audit(objects.actor, {
        action: 'site.update',
        bucket: SITES_BUCKET,
        detail: { site, ...change },
      })
      return siteJson(ctx, updated)
    },
  )

  app.delete(
    '/v1/sites/:site/deploys/:id',
    {
      schema: {
        tags,
        summary: 'Delete a deploy that is not live, with its files',
        params: DeployParams,
        response: { 204: Type.Null({ description: 'Done' }), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { site, objects } = await siteAccess(ctx, request, 'delete')
      const { id } = request.params
      await ctx.sites.removeDeploy(site, id)
      await removeFiles(objects, deployPrefix(site, id))
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/v1/sites/:site/preview',
    {
      schema: {
        tags,
        summary: 'A link that opens a private site for whoever holds it, until it expires',
        params: SiteParams,
        body: Type.Object(
          { expiresIn: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 24 * 3600, default: 3600 })) },
          { additionalProperties: false },
        ),
        response: {
          200: SignedUrlJson,
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const { site, objects } = await siteAccess(ctx, request, 'sign')
      await ctx.sites.require(site)
      const expires = Math.floor(Date.now() / 1000) + (request.body?.expiresIn ?? 3600)
      const token = previewToken(ctx.previewSecret, site, expires)
      await ctx.catalog.audit(objects.actor, {
        action: 'site.preview',
        bucket: SITES_BUCKET,
        detail: { site, expires },
      })
      return {
        url: `${ctx.siteUrl(site)}${PREVIEW_PATH}?token=${token}`,
        expiresAt: new Date(expires * 1000).toISOString(),
      }
    },
  )
}
