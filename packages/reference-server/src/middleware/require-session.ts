import type { Context, MiddlewareHandler } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { CheckOptions } from '../auth/check.js'
import type { Principal, Verify, VerifyOptions } from '../auth/verify.js'
import { logStoreOutage } from '../error-response.js'
import type { LogEntry } from '../log.js'
import { sendError } from '../send-error.js'

/** Hono's typing of a route behind `requireSession`: `c.get('leash')` is the principal. */
export interface LeashEnv {
  Variables: { leash: Principal }
}

/**
 * The options of every framework's `requireSession`: only users of `role` (or these roles) pass, others get
 * 403 `forbidden`; with `maxAge`, only a sign-in at most that many seconds old, others get 401
 * `reauthentication_required`.
 */
export type RequireSessionOptions = VerifyOptions

/**
 * The check's options of a route, made once when the route is declared (a request allocates none); a
 * `maxAge` that is not a whole number of seconds ≥ 0 is refused there, not at the first request.
 */
export function checkOptions({ role, maxAge }: RequireSessionOptions): CheckOptions {
  if (maxAge !== undefined && !(Number.isInteger(maxAge) && maxAge >= 0))
    throw new TypeError(`leash: requireSession's maxAge must be a whole number of seconds ≥ 0, got ${maxAge}`)
  return { ...(role !== undefined && { role }), ...(maxAge !== undefined && { maxAge }) }
}

/**
 * The Hono middleware over a `verify`: a request that passes goes on with its principal at `c.get('leash')`;
 * any other is answered here, as the protocol says (a store outage logged first), and never reaches the handler.
 */
export function createRequireSession(deps: {
  verify: Verify
  authorization: (c: Context) => string | undefined
  log: (entry: LogEntry) => void
}) {
  const { verify, authorization, log } = deps
  return (options: RequireSessionOptions = {}): MiddlewareHandler<LeashEnv> => {
    const checks = checkOptions(options)
    return createMiddleware<LeashEnv>(async (c, next) => {
      const result = await verify(authorization(c), checks)
      if (!result.ok) {
        if (result.code === 'store_unavailable') logStoreOutage(log, c.req.path, result.cause)
        return sendError(c, result)
      }
      c.set('leash', result.principal)
      await next()
    })
  }
}
