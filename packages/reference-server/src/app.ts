import { type Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { cors } from 'hono/cors'
import { createAdminActions } from './auth/admin.js'
import { createAuthenticator } from './auth/authenticate.js'
import { createDirectory } from './auth/directory.js'
import { createHashGate } from './auth/hash-gate.js'
import { createPbkdf2Hasher, type PasswordHasher } from './auth/passwords.js'
import { createMemoryRateLimiter, type RateLimiter } from './auth/rate-limit.js'
import { createSessions } from './auth/sessions.js'
import { createInProcessBus } from './bus/in-process.js'
import type { Bus } from './bus/types.js'
import { defaultConfig, type ServerConfig, validateConfig } from './config.js'
import type { AppEnv, Deps } from './context.js'
import { ApiError, apiError, ServerBusyError, StoreUnavailableError, UnstorableTextError } from './errors.js'
import { MAX_BODY_BYTES } from './middleware/json-body.js'
import { adminRoutes } from './routes/admin.js'
import { apiRoutes } from './routes/api.js'
import { authRoutes } from './routes/auth.js'
import { healthRoutes } from './routes/health.js'
import { openApiRoutes } from './routes/openapi.js'
import { errorResponse } from './routes/respond.js'
import type { Store } from './store/types.js'
import type { TokenCodec } from './tokens/codec.js'
import { joseCodec } from './tokens/jose-codec.js'

/** A structured log line; never holds a token, a password or a secret. */
export type LogEntry = Record<string, string | number | boolean | undefined>

export interface AppOptions {
  store: Store
  /** The server's global string (≥ 32 bytes). Combined with each user's string to derive that user's key. */
  globalSecret: string
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
   * The caller's address, for the per-username+IP and per-IP limits. Default: unknown, which turns the
   * per-IP limit off (every caller would share one budget); a server on sockets should always give it.
   */
  clientIp?: (c: Context) => string | undefined
  /**
   * Reads the Authorization header (default `c.req.header('authorization')`). On Node, reading it off the
   * incoming message spares building a WHATWG Headers object of every request header per request.
   */
  authorization?: (c: Context) => string | undefined
  log?: (entry: LogEntry) => void
  /** A log line per request (default: when `log` is given). */
  logRequests?: boolean
}

export type LeashApp = Hono<AppEnv> & {
  /** The services behind the routes (for admin tooling and tests). */
  readonly deps: Deps
  /** Stops listening to the bus. Closing the store and bus is the caller's. */
  close(): void
}

/**
 * The Leash server as a Hono app: no sockets, files or environment. `main.ts` wires real adapters;
 * `msw.ts` wires memory ones, so the mock can never drift from the server.
 */
export function createApp(options: AppOptions): LeashApp {
  if (new TextEncoder().encode(options.globalSecret).length < 32) {
    throw new Error('the global secret must be at least 32 bytes')
  }
  const config = validateConfig({ ...defaultConfig, ...options.config })
  const store = options.store
  const bus = options.bus ?? createInProcessBus()
  const codec = options.codec ?? joseCodec
  const clock = options.clock ?? Date
  const now = () => clock.now()
  const log = options.log ?? (() => {})
  const directory = createDirectory({ store, bus, codec, now, globalSecret: options.globalSecret })
  const base = { store, bus, config, directory, now }
  const sessions = createSessions({ ...base, codec })
  const deps: Deps = {
    ...base,
    hasher: createHashGate(options.hasher ?? createPbkdf2Hasher(), {
      concurrency: config.hashConcurrency,
      queue: config.hashQueue,
    }),
    limiter: options.rateLimiter ?? createMemoryRateLimiter(),
    sessions,
    admin: createAdminActions({ store, sessions, directory, now }),
    authenticate: createAuthenticator({ directory, codec, config, now }),
    clientIp: options.clientIp ?? (() => undefined),
    authorization: options.authorization ?? ((c) => c.req.header('authorization')),
  }

  const app = new Hono<AppEnv>()
  // One middleware for the response headers every route shares: nosniff everywhere, and no-store on
  // /auth/* (token responses must never be cached). They go on before next(): a header set once the
  // response exists makes Hono rebuild it around a body stream, which @hono/node-server then pipes.
  const logRequests = options.logRequests ?? options.log !== undefined
  app.use('*', async (c, next) => {
    const started = logRequests ? performance.now() : 0
    c.header('X-Content-Type-Options', 'nosniff')
    if (c.req.path.startsWith('/auth/')) c.header('Cache-Control', 'no-store')
    await next()
    if (!logRequests) return
    log({
      msg: 'request',
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 100) / 100,
    })
  })
  if (config.corsOrigins.length > 0) {
    app.use(
      '*',
      cors({
        origin: config.corsOrigins,
        credentials: true,
        allowHeaders: ['Authorization', 'Content-Type'],
        allowMethods: ['GET', 'POST', 'PATCH', 'OPTIONS'],
        maxAge: 600,
      }),
    )
  }
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => errorResponse(c, apiError('payload_too_large')),
  })
  // GET and HEAD have no body to limit (and asking for one makes @hono/node-server build a full Request).
  app.on(['POST', 'PUT', 'PATCH', 'DELETE'], '*', limitBody)
  app.route('/auth', authRoutes(deps))
  app.route('/api', apiRoutes(deps))
  app.route('/admin', adminRoutes(deps))
  app.route('/', healthRoutes(deps))
  app.route('/', openApiRoutes(deps))

  app.notFound((c) => errorResponse(c, apiError('not_found')))
  // Every 500 and 503 is logged with a level, so `LEASH_LOG=warn` still shows it.
  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error)
    if (error instanceof UnstorableTextError) {
      // A client string that slipped past the input checks: bad input all the same, never a 500.
      log({
        level: 'warn',
        msg: 'store refused text',
        path: c.req.path,
        error: String((error.cause as Error)?.message ?? error),
      })
      return errorResponse(c, apiError('invalid_request'))
    }
    if (error instanceof ServerBusyError) {
      log({ level: 'warn', msg: 'server busy: password hashing at capacity', path: c.req.path })
      return errorResponse(
        c,
        apiError('server_busy', { headers: { 'Retry-After': String(error.retryAfter) } }),
      )
    }
    if (error instanceof StoreUnavailableError) {
      log({
        level: 'warn',
        msg: 'store unavailable',
        path: c.req.path,
        error: String((error.cause as Error)?.message ?? error),
      })
      return errorResponse(c, apiError('store_unavailable', { headers: { 'Retry-After': '1' } }))
    }
    log({ level: 'error', msg: 'unhandled error', path: c.req.path, error: error.stack ?? String(error) })
    return errorResponse(c, apiError('internal_error'))
  })

  return Object.assign(app, { deps, close: () => directory.close() })
}
