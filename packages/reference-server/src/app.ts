import type { AuditEvent } from '@leash/protocol'
import { type Context, Hono, type MiddlewareHandler } from 'hono'
import { adminSurface, createAdminActions, type LeashAdmin } from './auth/admin.js'
import { createAudit } from './auth/audit.js'
import { createAuthenticator } from './auth/authenticate.js'
import { createDirectory } from './auth/directory.js'
import { createHashGate } from './auth/hash-gate.js'
import { type KeyOptions, keysFrom } from './auth/keys.js'
import { createPbkdf2Hasher, type PasswordHasher } from './auth/passwords.js'
import { createMemoryRateLimiter, type RateLimiter } from './auth/rate-limit.js'
import { createRecovery } from './auth/recovery.js'
import { createSessions } from './auth/sessions.js'
import { createInProcessBus } from './bus/in-process.js'
import type { Bus } from './bus/types.js'
import { defaultConfig, type ServerConfig, validateConfig } from './config.js'
import type { AppEnv, Deps } from './context.js'
import { apiError } from './errors.js'
import type { LogEntry } from './log.js'
import type { Mailer } from './mail/mailer.js'
import { createOutbox } from './mail/outbox.js'
import { type Metrics, noMetrics } from './metrics.js'
import { BODY_METHODS, limitBody } from './middleware/body-limit.js'
import { corsFor } from './middleware/cors.js'
import { countRequest } from './middleware/count-request.js'
import type { LeashEnv, RequireSessionOptions } from './middleware/require-session.js'
import { adminRoutes } from './routes/admin.js'
import { apiRoutes } from './routes/api.js'
import { authRoutes } from './routes/auth.js'
import { handleError } from './routes/handle-error.js'
import { createReadiness, healthRoutes } from './routes/health.js'
import { leashRoutes } from './routes/leash-routes.js'
import { openApiRoutes } from './routes/openapi.js'
import { sendError } from './send-error.js'
import type { Store } from './store/types.js'
import type { TokenCodec } from './tokens/codec.js'
import { joseCodec } from './tokens/jose-codec.js'
import { type Verify, verifierOver } from './verifier.js'

export type { LogEntry } from './log.js'

/**
 * The app's store and keys, and what else it runs on. Keys: `globalSecret` (one key) or `keyring` (a
 * signer and the keys still accepted; with `reloadKeyring`, read again when it changes), exactly one.
 */
export interface AppOptions extends KeyOptions {
  store: Store
  /** Carries cache invalidations between instances (default: this process only). */
  bus?: Bus
  /** Epoch milliseconds (default `Date.now()`, which fake timers move). */
  clock?: { now(): number }
  /**
   * Password hashing (default PBKDF2 on WebCrypto; the Node server passes scrypt). Whichever it is, the
   * routes reach it through a gate of `config.hashConcurrency` slots and `config.hashQueue` places.
   */
  hasher?: PasswordHasher
  config?: Partial<ServerConfig>
  /** HS256 codec (default jose, portable; the Node server passes the node:crypto codec). */
  codec?: TokenCodec
  /** Counts login, register and password-change attempts (default in memory). */
  rateLimiter?: RateLimiter
  /**
   * The caller's address, for the per-username+IP and per-IP limits and the account budget's known
   * addresses. **Without it every caller is `unknown`**: the per-IP limit is off, and every login attempt
   * for a username counts on one budget, whoever sends it (three wrong passwords for alice from anywhere
   * lock alice out everywhere), so `createApp` logs a warning through `log`. On Node give `nodeClientIp`
   * (the socket's peer), or `nodeClientIpBehind(trusted)` behind a reverse proxy.
   */
  clientIp?: (c: Context) => string | undefined
  /**
   * Reads the Authorization header (default `c.req.header('authorization')`). On Node, reading it off the
   * incoming message spares building a WHATWG Headers object of every request header per request.
   */
  authorization?: (c: Context) => string | undefined
  /**
   * Reads the Cookie header, several header lines joined by `; ` (default `c.req.header('cookie')`, where
   * a Fetch `Headers` joins lines with `, `, which a cookie value may hold: a refresh cookie at the start
   * of a second line is then not found). On Node, `nodeCookie` reads the lines as Node joins them.
   */
  cookie?: (c: Context) => string | undefined
  log?: (entry: LogEntry) => void
  /**
   * Called with each audit event once it is committed (a change's with the change; a refusal's when its
   * batch is written), to ship it elsewhere. Its errors (thrown or rejected) are logged, never answered.
   */
  onEvent?: (event: AuditEvent) => void | Promise<void>
  /** A log line per request (default: when `log` is given). */
  logRequests?: boolean
  /**
   * Where counts and timings go: sign-ins, refreshes and refusals by code, reuse, revocations, request
   * durations by route pattern, the hashing gate, store errors (default: nowhere). On Node,
   * `createPromMetrics` gives one for Prometheus; the bus takes the same sink for its own figures.
   */
  metrics?: Metrics
  /**
   * Sends account mail (verification and reset links), off the request's path with retries (see
   * `mailRetry`). Without one, each such mail is logged as not sent (never with its link).
   */
  mailer?: Mailer
  /**
   * The origin the links in account mail point at (default `config.publicOrigin`). Never taken from a
   * request: its Host is whatever the sender wrote, and a reset link built from it would carry the token
   * to the sender's site.
   */
  linkOrigin?: string
  /** Tries per mail (default 5) and the wait before the second (ms, default 1000; doubling after). */
  mailRetry?: { attempts?: number; backoffMs?: number }
}

/** The reference server, and what an app built around it uses of it. */
export type LeashApp = Hono & {
  /** The protocol's check of an Authorization header, on this app's cache (see `Verify`). */
  readonly verify: Verify
  /**
   * Hono middleware for the app's own routes: the principal at `c.get('leash')`, or the protocol's answer.
   * @example
   * app.get('/api/profile', leash.requireSession(), (c) => c.json({ user: c.get('leash').user }))
   */
  requireSession(options?: RequireSessionOptions): MiddlewareHandler<LeashEnv>
  /** /auth/* and /admin/* alone, to mount under a prefix: `app.route('/identity', leash.endpoints)`. */
  readonly endpoints: Hono
  /** Admin actions by user id, for tooling and tests. */
  readonly admin: LeashAdmin
  /** From now on `/readyz` answers 503 `draining`: call it when shutdown starts, before closing the socket. */
  drain(): void
  /** Writes the audit events still buffered (refusals wait up to a second); resolves when they are. */
  flushAudit(): Promise<void>
  /** Resolves once the queued forgot-password requests are handled and every queued mail sent or given up. */
  flushMail(): Promise<void>
  /** Stops listening to the bus and drops unsent mail. Closing the store and bus is the caller's (flush the audit first). */
  close(): void
}

/**
 * The Leash server as a Hono app: no sockets, files or environment. It serves /auth/*, /admin/*, the demo's
 * /api/notes and /healthz; `endpoints`, `requireSession` and `verify` let another Hono app use Leash for its
 * own. `main.ts` wires real adapters; `msw.ts` wires memory ones, so the mock can never drift from the server.
 */
export function createApp(options: AppOptions): LeashApp {
  const keys = keysFrom(options, options.log)
  const config = validateConfig({ ...defaultConfig, ...options.config })
  const store = options.store
  const bus = options.bus ?? createInProcessBus()
  const codec = options.codec ?? joseCodec
  const clock = options.clock ?? Date
  const now = () => clock.now()
  const log = options.log ?? (() => {})
  if (!options.clientIp)
    log({
      level: 'warn',
      msg: 'createApp without clientIp: every login attempt is counted as from one address ("unknown"), so one caller can lock a username out for all; pass clientIp (nodeClientIp on Node)',
    })
  const directory = createDirectory({ store, bus, codec, now, log, keys })
  const metrics = options.metrics ?? noMetrics
  const audit = createAudit({
    store,
    now,
    log,
    metrics,
    ...(options.onEvent && { onEvent: options.onEvent }),
  })
  const base = { store, bus, config, directory, now, audit, metrics }
  const sessions = createSessions({ ...base, codec })
  const admin = createAdminActions({ store, sessions, directory, now, audit })
  const linkOrigin = options.linkOrigin ?? config.publicOrigin
  const outbox = options.mailer ? createOutbox({ mailer: options.mailer, log, ...options.mailRetry }) : null
  const recovery = createRecovery({ ...base, log, outbox, linkOrigin })
  const authorization = options.authorization ?? ((c: Context) => c.req.header('authorization'))
  const deps: Deps = {
    ...base,
    hasher: createHashGate(options.hasher ?? createPbkdf2Hasher(), {
      concurrency: config.hashConcurrency,
      queue: config.hashQueue,
      metrics,
    }),
    limiter: options.rateLimiter ?? createMemoryRateLimiter(),
    sessions,
    recovery,
    admin,
    authenticate: createAuthenticator({ directory, codec, config, now }),
    clientIp: options.clientIp ?? (() => undefined),
    authorization,
    cookie: options.cookie ?? ((c: Context) => c.req.header('cookie')),
  }
  const { verify, requireSession } = verifierOver({ directory, codec, config, now, authorization, log })

  const app = new Hono<AppEnv>()
  // One middleware for the response headers every route shares: nosniff everywhere, and no-store on
  // /auth/* (token responses must never be cached). They go on before next(): a header set once the
  // response exists makes Hono rebuild it around a body stream, which @hono/node-server then pipes.
  const logRequests = options.logRequests ?? options.log !== undefined
  const counted = metrics !== noMetrics
  app.use('*', async (c, next) => {
    const started = logRequests || counted ? performance.now() : 0
    c.header('X-Content-Type-Options', 'nosniff')
    if (c.req.path.startsWith('/auth/')) c.header('Cache-Control', 'no-store')
    await next()
    if (counted) countRequest(metrics, c, started)
    if (!logRequests) return
    log({
      msg: 'request',
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 100) / 100,
    })
  })
  if (config.corsOrigins.length > 0) app.use('*', corsFor(config))
  // GET and HEAD have no body to limit (and asking for one makes @hono/node-server build a full Request).
  app.on(BODY_METHODS, '*', limitBody)
  // Mounted here directly, not through `routes`: a sub-app with its own error handler wraps every handler
  // in one more composition, which the per-request path of /auth/me would pay for.
  const auth = authRoutes(deps)
  const adminApp = adminRoutes(deps)
  app.route('/auth', auth)
  app.route('/api', apiRoutes({ store, now, requireSession }))
  app.route('/admin', adminApp)
  const readiness = createReadiness({ store, bus })
  app.route('/', healthRoutes(readiness))
  app.route('/', openApiRoutes(deps))

  app.notFound((c) => sendError(c, apiError('not_found')))
  app.onError(handleError(log))

  return Object.assign(app as unknown as Hono, {
    verify,
    requireSession,
    endpoints: leashRoutes({ auth, admin: adminApp, config, log, metrics }),
    admin: adminSurface(admin, store),
    drain: () => readiness.drain(),
    flushAudit: () => audit.flush(),
    flushMail: () => recovery.idle(),
    close: () => {
      recovery.close()
      directory.close()
    },
  })
}
