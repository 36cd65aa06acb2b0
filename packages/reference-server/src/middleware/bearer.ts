import { createMiddleware } from 'hono/factory'
import type { AppEnv, Deps } from '../context.js'
import { apiError } from '../errors.js'

/** Runs the protocol's bearer checks and puts the principal on the context. */
export const requireBearer = ({ authenticate, authorization }: Deps) =>
  createMiddleware<AppEnv>(async (c, next) => {
    c.set('principal', await authenticate(authorization(c)))
    await next()
  })

/** After `requireBearer`: only admins pass. The role is the user record's, which a role change keeps current. */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  if (c.get('principal').user.role !== 'admin') throw apiError('forbidden')
  await next()
})
