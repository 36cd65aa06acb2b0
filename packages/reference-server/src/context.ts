import type { Context } from 'hono'
import type { AdminActions } from './auth/admin.js'
import type { Audit } from './auth/audit.js'
import type { Authenticate, Authenticated } from './auth/authenticate.js'
import type { Directory } from './auth/directory.js'
import type { PasswordHasher } from './auth/passwords.js'
import type { RateLimiter } from './auth/rate-limit.js'
import type { Recovery } from './auth/recovery.js'
import type { Sessions } from './auth/sessions.js'
import type { Principal } from './auth/verify.js'
import type { Bus } from './bus/types.js'
import type { ServerConfig } from './config.js'
import type { Metrics } from './metrics.js'
import type { Store } from './store/types.js'

/** Hono's typing of this app: what a handler may read from `c.get()`. */
export interface AppEnv {
  Variables: {
    /** The records behind the request's token, for the app's own /auth and /admin routes (`requireBearer`). */
    authenticated: Authenticated
    /** The request's `Principal`, the public view (`requireSession`), as every framework adapter names it. */
    leash: Principal
    /** The user a refused request concerns, when the handler learned it (the audit's `user`). */
    auditUser: string
    /** The session a refused request concerns, when the handler learned it (the audit's `session`). */
    auditSession: string
  }
}

/** What every route is built from: the adapters and the services over them. */
export interface Deps {
  store: Store
  bus: Bus
  /** Behind the hashing gate: every hash and verify of the routes waits for a slot or is refused (503). */
  hasher: PasswordHasher
  config: ServerConfig
  limiter: RateLimiter
  directory: Directory
  sessions: Sessions
  /** Email verification and password reset by single-use links. */
  recovery: Recovery
  admin: AdminActions
  authenticate: Authenticate
  /** The audit trail: events built here go into the store with their change, or into its buffer. */
  audit: Audit
  /** Counts what the audit does not record (an accepted refresh); `noMetrics` by default. */
  metrics: Metrics
  now: () => number
  /** The caller's address; undefined when unknown (then there is no per-IP limit). */
  clientIp: (c: Context) => string | undefined
  /** The request's Authorization header. */
  authorization: (c: Context) => string | undefined
  /** The request's Cookie header; several lines joined by `; `. */
  cookie: (c: Context) => string | undefined
}
