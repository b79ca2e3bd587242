import { Type } from 'typebox'

/** One immutable deploy of a site. */
export const DeployJson = Type.Object({
  id: Type.String(),
  files: Type.Integer(),
  bytes: Type.Integer(),
  spa: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
})

/** A site: its own origin, whether it is public, and its live deploy. */
export const SiteJson = Type.Object({
  name: Type.String(),
  url: Type.String({ description: "The site's own origin" }),
  public: Type.Boolean(),
  current: Type.Optional(Type.String({ description: 'The live deploy' })),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})

/** The answer to a deploy: the site as it is now, and the new deploy. */
export const DeployedJson = Type.Object({ site: SiteJson, deploy: DeployJson })

/** A site with its deploys, newest first. */
export const SiteDeploysJson = Type.Object({ site: SiteJson, deploys: Type.Array(DeployJson) })

/** The sites whose deploys the caller may list, by name. */
export const SiteListJson = Type.Object({ sites: Type.Array(SiteJson) })
