// `@leash/reference-server/fastify`: Leash in a Fastify 5 app. Node only; fastify is an optional peer.
import type {
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  preHandlerHookHandler,
  RouteHandlerMethod,
} from 'fastify'
import type { Hono } from 'hono'
import { answerRefusal } from '../error-response.js'
import type { LogEntry } from '../log.js'
import { checkOptions, type RequireSessionOptions } from '../middleware/require-session.js'
import type { Principal, Verifier, Verify } from '../verifier.js'
import { createBridge } from './node-bridge.js'

/** What `fastify.leash` holds once the plugin is registered. */
export interface FastifyLeash {
  /** The protocol's check of an Authorization header (see `Verify`). */
  readonly verify: Verify
  /** A `preHandler` for a route: see `requireSession`. */
  requireSession(options?: RequireSessionOptions): preHandlerHookHandler
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Leash's check and its `preHandler` (the `leash` plugin). */
    leash: FastifyLeash
  }
  interface FastifyRequest {
    /** Who the request speaks for: set by `requireSession` on the routes behind it; null elsewhere. */
    leash: Principal | null
  }
}

export interface FastifyRequireSessionOptions extends RequireSessionOptions {
  /** Where a store outage is reported (level `warn`); default `request.log`. */
  log?: (entry: LogEntry) => void
}

/**
 * A Fastify `preHandler`: a request with a live session (and, if given, one of the roles and a sign-in within `maxAge` seconds) goes on with its
 * principal at `request.leash`; any other is answered here, exactly as the protocol says (401 with
 * `WWW-Authenticate`, 403 `user_disabled` with `user_enabled: false`, 403 `forbidden`, 401
 * `reauthentication_required`, 503 with `Retry-After`) and never reaches the handler. With the plugin registered, `fastify.leash.requireSession()`
 * is the same.
 * @param leash `createApp()`'s app, or a `createVerifier()` of a service that never issues tokens
 * @example
 * fastify.get('/api/profile', { preHandler: requireSession(leash) }, (request) => ({ user: request.leash!.user }))
 */
export function requireSession(
  leash: Pick<Verifier, 'verify'>,
  options: FastifyRequireSessionOptions = {},
): preHandlerHookHandler {
  const { verify } = leash
  const { log } = options
  const checks = checkOptions(options)
  // A callback hook rather than an async one: on a warm cache the check awaits nothing, and Fastify then
  // has no promise of ours to wait on.
  return (request, reply, done) => {
    verify(request.headers.authorization, checks).then((result) => {
      if (result.ok) {
        request.leash = result.principal
        return done()
      }
      const { status, headers, body } = answerRefusal(result, request.url, log ?? requestLog(request))
      // Answered without calling done(): Fastify goes no further.
      reply.code(status).headers(headers).send(body)
    }, done)
  }
}

/** The request's own logger, at `warn` (all the adapter logs): to pino the level is the method, not a field. */
const requestLog =
  (request: FastifyRequest) =>
  ({ level: _warn, ...entry }: LogEntry) =>
    request.log.warn(entry, String(entry.msg))

export interface LeashPluginOptions {
  /** `createApp()`'s app, or a `createVerifier()`. */
  leash: Pick<Verifier, 'verify'>
  /** Where a store outage is reported (level `warn`); default `request.log`. */
  log?: (entry: LogEntry) => void
}

/**
 * Decorates the instance with `fastify.leash` (`verify`, `requireSession({ role })`) and requests with
 * `request.leash`. Not encapsulated (as `fastify-plugin` makes a plugin): registered once, it is seen by
 * the instance that registered it and every plugin registered after it there.
 * @example
 * await fastify.register(leashPlugin, { leash })
 * fastify.get('/api/profile', { preHandler: fastify.leash.requireSession() }, (request) => request.leash!.user)
 */
export const leashPlugin: FastifyPluginCallback<LeashPluginOptions> = (fastify, options, done) => {
  const { leash, log } = options
  fastify.decorate('leash', {
    verify: leash.verify,
    requireSession: (o: RequireSessionOptions = {}) => requireSession(leash, log ? { ...o, log } : o),
  } satisfies FastifyLeash)
  // null up front: every request keeps one shape whether or not a route checks it.
  fastify.decorateRequest('leash', null)
  done()
}
// What fastify-plugin would set: not encapsulated, and named in Fastify's errors and plugin tree.
Object.assign(leashPlugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@leash/reference-server/fastify',
})

export interface LeashRoutesOptions {
  /** `createApp()`'s app. */
  leash: { readonly endpoints: Hono }
}

/**
 * Leash's `/auth/*` and `/admin/*` routes, under the prefix they are registered with:
 * `fastify.register(leashRoutes, { leash, prefix: '/identity' })` serves `POST /identity/auth/login`, and
 * the refresh cookie's `Path` is `/identity/auth`. Encapsulated: inside, Fastify's body parsers are
 * replaced by one that leaves the body unread, for Leash reads (and limits) its bodies itself; the app's
 * other routes keep theirs. Requests are served as the standalone Node server serves them.
 * @example
 * await fastify.register(leashRoutes, { leash, prefix: '/identity' })
 */
export const leashRoutes: FastifyPluginCallback<LeashRoutesOptions> = (fastify, options, done) => {
  const bridge = createBridge(options.leash.endpoints)
  // How many path segments the prefix takes (a parameter such as `/:tenant` takes one).
  const depth = fastify.prefix.split('/').filter(Boolean).length
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser('*', (_request, _payload, parsed) => parsed(null))
  const serve: RouteHandlerMethod = (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack()
    // The URL as sent: the segments below the prefix are what Leash routes by.
    const url = request.raw.url ?? '/'
    return bridge(
      request.raw,
      reply.raw,
      `/${url
        .split('/')
        .slice(1 + depth)
        .join('/')}`,
    )
  }
  fastify.all('/auth/*', serve)
  fastify.all('/admin/*', serve)
  done()
}
