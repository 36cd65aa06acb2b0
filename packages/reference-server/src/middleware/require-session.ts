import type { Context, MiddlewareHandler } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { CheckOptions } from '../auth/check.js'
import { type Refusal, refusalResponse } from '../auth/refusal.js'
import { causeText, type LogEntry } from '../log.js'
import type { Role } from '../store/types.js'
import type { Principal, Verify } from '../verifier.js'

/** Hono's typing of a route behind `requireSession`: `c.get('leash')` is the principal. */
export interface LeashEnv {
  Variables: { leash: Principal }
}

export interface RequireSessionOptions {
  /** Only users of this role (or these roles) pass; anyone else gets 403 `forbidden`. */
  role?: Role | readonly Role[]
}

/** Answers a refusal exactly as the protocol spells it; a store outage is also logged, at `warn`. */
export function refuse(c: Context, refused: Refusal, log: (entry: LogEntry) => void) {
  if (refused.code === 'store_unavailable') {
    log({ level: 'warn', msg: 'store unavailable', path: c.req.path, error: causeText(refused.cause) })
  }
  const { status, headers, body } = refusalResponse(refused)
  return c.json(body, status, headers)
}

/**
 * The Hono middleware over a `verify`: a request that passes goes on with its principal at `c.get('leash')`;
 * any other is answered here, as the protocol says, and never reaches the handler.
 */
export function createRequireSession(deps: {
  verify: Verify
  authorization: (c: Context) => string | undefined
  log: (entry: LogEntry) => void
}) {
  const { verify, authorization, log } = deps
  return (options: RequireSessionOptions = {}): MiddlewareHandler<LeashEnv> => {
    // Made once per route, so a request allocates no options of its own.
    const checks: CheckOptions = options.role === undefined ? {} : { role: options.role }
    return createMiddleware<LeashEnv>(async (c, next) => {
      const result = await verify(authorization(c), checks)
      if (!result.ok) return refuse(c, result, log)
      c.set('leash', result.principal)
      await next()
    })
  }
}
