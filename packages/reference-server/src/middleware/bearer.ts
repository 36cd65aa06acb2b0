import { createMiddleware } from 'hono/factory'
import type { CheckOptions } from '../auth/check.js'
import { refusalError } from '../auth/refusal.js'
import type { AppEnv, Deps } from '../context.js'

/**
 * The throwing form of the check, for the app's own /auth and /admin routes: the records go on the context
 * as `authenticated`, a refusal goes to the app's error handler. Apps protect their own routes with
 * `requireSession` instead.
 */
export const requireBearer = ({ authenticate, authorization }: Deps, options?: CheckOptions) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const result = await authenticate(authorization(c), options)
    if (!result.ok) throw refusalError(result)
    c.set('authenticated', result)
    await next()
  })
