// `@leash/reference-server/express`: Leash in an Express 5 app. Node only; express is an optional peer.
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import type { Hono } from 'hono'
import { answerRefusal } from '../error-response.js'
import type { LogEntry } from '../log.js'
import { BODY_METHODS } from '../middleware/body-limit.js'
import { checkOptions, type RequireSessionOptions } from '../middleware/require-session.js'
import type { Principal, Verifier } from '../verifier.js'
import { createBridge, isLeashPath } from './node-bridge.js'

declare global {
  // Express's own way to type what middleware adds to a request.
  namespace Express {
    interface Request {
      /** Who the request speaks for: set by `requireSession`, on the routes behind it only. */
      leash?: Principal
    }
  }
}

export interface ExpressRequireSessionOptions extends RequireSessionOptions {
  /** Where a store outage is reported (level `warn`); default nowhere. */
  log?: (entry: LogEntry) => void
}

/**
 * Express middleware generic in the route's own types, so that a route's `req.params` stay what its path
 * says (`/users/:id` gives `{ id: string }`) with `requireSession` before the handler.
 */
export type LeashMiddleware = <P, ResBody, ReqBody, ReqQuery, Locals extends Record<string, unknown>>(
  req: Request<P, ResBody, ReqBody, ReqQuery, Locals>,
  res: Response<ResBody, Locals>,
  next: NextFunction,
) => void

/**
 * Express middleware: a request with a live session (and, if given, one of the roles and a sign-in within `maxAge` seconds) goes on with its
 * principal at `req.leash`; any other is answered here, exactly as the protocol says (401 with
 * `WWW-Authenticate`, 403 `user_disabled` with `user_enabled: false`, 403 `forbidden`, 401
 * `reauthentication_required`, 503 with `Retry-After`) and never reaches the handler.
 * @param leash `createApp()`'s app, or a `createVerifier()` of a service that never issues tokens
 * @example
 * app.get('/api/profile', requireSession(leash), (req, res) => res.json({ user: req.leash!.user }))
 */
export function requireSession(
  leash: Pick<Verifier, 'verify'>,
  options: ExpressRequireSessionOptions = {},
): LeashMiddleware {
  const { verify } = leash
  const { log } = options
  const checks = checkOptions(options)
  return (req, res, next) => {
    // `then` rather than an async function: the check answers a warm cache without awaiting anything,
    // and this spares a promise of our own per request.
    verify(req.headers.authorization, checks).then((result) => {
      if (result.ok) {
        req.leash = result.principal
        return next()
      }
      const { status, headers, body } = answerRefusal(result, req.path, log)
      ;(res as Response).status(status).set(headers).json(body)
    }, next)
  }
}

/**
 * Leash's `/auth/*` and `/admin/*` routes for Express, to mount where the app chooses:
 * `app.use('/identity', leashRouter(leash))` serves `POST /identity/auth/login`, and the refresh cookie's
 * `Path` is `/identity/auth`. Every other path goes on to the app's next handler. Requests are served as
 * the standalone Node server serves them (body streamed through the 16 KiB limit, each `Set-Cookie` on its
 * own line, the Authorization header and client address read off Node's request when the app was made
 * with `nodeAuthorization` and `nodeClientIp`). Mount it before any body parser (`express.json()`): Leash
 * reads its bodies itself, and a body already read is passed to `next` as an error.
 * @example
 * app.use('/identity', leashRouter(leash))
 */
export function leashRouter(leash: { readonly endpoints: Hono }): RequestHandler {
  const bridge = createBridge(leash.endpoints)
  return (req, res, next) => {
    // Express has cut the mount point off `req.url`; `req.originalUrl` is what the client sent.
    // `req.url` rather than `req.path`, which parses it: this runs for every request of the app.
    const relative = req.url
    if (!isLeashPath(relative)) return next()
    if (req.readableDidRead && BODY_METHODS.includes(req.method))
      return next(
        new Error(
          'leashRouter: the request body was already read (by express.json() or another body parser); mount leashRouter before it',
        ),
      )
    req.url = req.originalUrl
    // The bridge reads `req.url` before it first yields: Express's own value is back before anything else runs.
    const served = bridge(req, res, relative)
    req.url = relative
    served.catch(next)
  }
}
