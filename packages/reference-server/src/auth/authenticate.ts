import type { SessionRecord, UserRecord } from '../store/types.js'
import type { ParsedToken } from '../tokens/claims.js'
import { type CheckDeps, createCheck } from './check.js'
import type { KeyedUser } from './directory.js'

/** What the app's own /auth routes get once every check passed: the records themselves (never sent as is). */
export interface Authenticated {
  readonly ok: true
  user: UserRecord
  session: SessionRecord
  claims: ParsedToken['payload']
}

const authenticated = (keyed: KeyedUser, session: SessionRecord, claims: ParsedToken['payload']) =>
  ({ ok: true, user: keyed.user, session, claims }) as Authenticated

/**
 * The check as the /auth routes use it (logout, password change, me): the same
 * order and the same cache as `verify`, answering with the records a route needs.
 */
export const createAuthenticator = (deps: CheckDeps) => createCheck(deps, authenticated)

export type Authenticate = ReturnType<typeof createAuthenticator>
