import type { DomainContext } from '../domain/context.ts'
import type { BodyLimits } from './body-limits.ts'

/** What the routes share: the domain's services, and the limits on request bodies. */
export interface AppContext extends DomainContext {
  /** How long request bodies may stall, and how many uploads a credential may run at once. */
  bodyLimits: BodyLimits
}
