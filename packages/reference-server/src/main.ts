import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { inspect } from 'node:util'
import { serve } from '@hono/node-server'
import { createApp, type LogEntry } from './app.js'
import { createRedisRateLimiter } from './auth/redis-rate-limit.js'
import { createScryptHasher } from './auth/scrypt-hasher.js'
import { createInProcessBus } from './bus/in-process.js'
import { createRedisBus } from './bus/redis.js'
import { ConfigError, configFromEnv, defaultConfig } from './config.js'
import { StoreUnavailableError } from './errors.js'
import { nodeAuthorization, nodeClientIp } from './node-request.js'
import { createRedactor, redactUrl } from './redact.js'
import { parseSeedUsers, seedUsers } from './seed.js'
import { createPostgresStore } from './store/postgres.js'
import { createSqliteStore } from './store/sqlite.js'
import type { Store } from './store/types.js'
import { nodeCodec } from './tokens/node-codec.js'
import { randomToken } from './tokens/random.js'

type Env = Record<string, string | undefined>

const logLine = (entry: LogEntry) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`)

function listenOptions(env: Env) {
  const port = Number(env.LEASH_PORT ?? 8787)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`LEASH_PORT must be a port number, got "${env.LEASH_PORT}"`)
  return { port, hostname: env.LEASH_HOST || '127.0.0.1' }
}

/** `sqlite:<path>`, `sqlite::memory:` or a `postgres://` URL (its schema is created or migrated here). */
async function openStore(url: string, log: (entry: LogEntry) => void): Promise<OpenedStore> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length)
    if (!path) throw new ConfigError('LEASH_DATABASE "sqlite:" needs a path, or :memory:')
    if (path === ':memory:') return { store: createSqliteStore(':memory:'), dataDir: null }
    const file = resolve(path)
    return { store: createSqliteStore(file), dataDir: dirname(file) }
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    // `?schema=name` keeps Leash's tables in a schema of their own (created if missing); default public.
    const parsed = parseUrl('LEASH_DATABASE', url)
    const schema = parsed.searchParams.get('schema') ?? undefined
    parsed.searchParams.delete('schema')
    if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema))
      throw new ConfigError(`LEASH_DATABASE schema must be a lowercase SQL identifier, got "${schema}"`)
    const store = createPostgresStore({ url: parsed.toString(), log, ...(schema && { schema }) })
    try {
      await store.ready()
    } catch (error) {
      await store.close().catch(() => {})
      throw error
    }
    return { store, dataDir: null, shared: true }
  }
  throw new ConfigError(
    `LEASH_DATABASE must be sqlite:<path>, sqlite::memory: or postgres://…, got "${redactUrl(url)}"`,
  )
}

/** The URL, or a ConfigError that shows it without its password (`new URL`'s own error carries it whole). */
function parseUrl(name: string, url: string): URL {
  try {
    return new URL(url)
  } catch {
    throw new ConfigError(`${name} is not a valid URL: "${redactUrl(url)}"`)
  }
}

interface OpenedStore {
  store: Store
  /** Where a development secret is kept beside the database (null: nowhere on disk). */
  dataDir: string | null
  /** Several instances share it: a development secret lives in the database itself. */
  shared?: boolean
}

/**
 * Hashes at once by default: one core and one libuv pool thread stay free, for the event loop (which
 * answers every other request) and for the pool's other jobs (files, DNS lookups); at least one.
 */
function defaultHashConcurrency(env: Env): number {
  const poolThreads = Number(env.UV_THREADPOOL_SIZE) || 4
  return Math.max(1, Math.min(availableParallelism(), poolThreads) - 1)
}

/** Which log lines are written: `all` (the default), `warn` (warnings, errors and the listening line), `none`. */
function logFilter(env: Env): (entry: LogEntry) => boolean {
  const level = (env.LEASH_LOG ?? 'all').trim().toLowerCase() || 'all'
  if (level === 'all') return () => true
  if (level === 'none') return () => false
  if (level === 'warn') return (e) => e.level === 'warn' || e.level === 'error' || e.msg === 'listening'
  throw new ConfigError(`LEASH_LOG must be all, warn or none, got "${env.LEASH_LOG}"`)
}

/**
 * The global string: LEASH_GLOBAL_SECRET; in development, one generated once and kept beside the database.
 * Production refuses to start without it.
 */
async function globalSecret(env: Env, opened: OpenedStore, log: (entry: LogEntry) => void): Promise<string> {
  const { dataDir } = opened
  const given = env.LEASH_GLOBAL_SECRET
  if (given !== undefined) {
    if (Buffer.byteLength(given) < 32) throw new ConfigError('LEASH_GLOBAL_SECRET must be at least 32 bytes')
    return given
  }
  if (env.NODE_ENV === 'production')
    throw new ConfigError('LEASH_GLOBAL_SECRET is required when NODE_ENV=production')
  if (opened.shared) {
    // Every instance must sign with the same string: the first to start picks it, the others read it.
    log({
      level: 'warn',
      msg: 'LEASH_GLOBAL_SECRET is not set: using the development secret kept in the database',
    })
    return opened.store.initMeta('dev_global_secret', randomToken(48))
  }
  if (dataDir === null) {
    log({ level: 'warn', msg: 'LEASH_GLOBAL_SECRET is not set: using a random one for this in-memory run' })
    return randomToken(48)
  }
  const file = join(dataDir, 'leash.secret')
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true })
    writeFileSync(file, randomToken(48), { mode: 0o600 })
  }
  log({
    level: 'warn',
    msg: 'LEASH_GLOBAL_SECRET is not set: using the development secret kept beside the database',
    file,
  })
  return readFileSync(file, 'utf8').trim()
}

/** A running server: where it listens, and how to stop it (closes the socket, the bus and the store). */
export interface RunningServer {
  url: string
  close(): Promise<void>
}

/**
 * Reads the environment, wires the real adapters and listens. Throws `ConfigError` for a bad value;
 * the program (`bin.ts`) prints it and exits 1.
 */
export async function startServer(env: Env = process.env, quiet = false): Promise<RunningServer> {
  const keep = logFilter(env)
  const scrub = scrubEntry(redactorFor(env))
  const log = quiet ? () => {} : (entry: LogEntry) => keep(entry) && logLine(scrub(entry))
  const config = configFromEnv(env, { ...defaultConfig, hashConcurrency: defaultHashConcurrency(env) })
  const listen = listenOptions(env)
  const seeds = parseSeedUsers(env.LEASH_SEED_USERS)
  const redisUrl = env.LEASH_REDIS_URL?.trim() || undefined
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl))
    throw new ConfigError(`LEASH_REDIS_URL must be a redis:// or rediss:// URL, got "${redactUrl(redisUrl)}"`)
  if (redisUrl) parseUrl('LEASH_REDIS_URL', redisUrl) // ioredis would throw `new URL`'s error, URL and all
  const opened = await openStore(env.LEASH_DATABASE || 'sqlite:./data/leash.db', log)
  const { store } = opened
  const hasher = createScryptHasher()
  // With Redis, invalidations reach every instance and attempts are counted across all of them.
  const bus = redisUrl ? createRedisBus({ url: redisUrl, log }) : createInProcessBus()
  const limiter = redisUrl ? createRedisRateLimiter({ url: redisUrl, log }) : undefined
  const app = createApp({
    store,
    bus,
    hasher,
    config,
    codec: nodeCodec,
    ...(limiter && { rateLimiter: limiter }),
    globalSecret: await globalSecret(env, opened, log).catch(async (error: unknown) => {
      await Promise.all([bus.close(), limiter?.close(), store.close()])
      throw error
    }),
    clientIp: nodeClientIp,
    authorization: nodeAuthorization,
    log,
    logRequests: !quiet && keep({ msg: 'request' }),
  })
  const created = await seedUsers(store, hasher, seeds, Date.now())
  for (const u of created) log({ msg: 'seeded user', username: u.username, role: u.role })

  // Sessions that ended (or expired) more than a day ago are deleted, with their refresh-token hashes.
  const prune = setInterval(() => {
    store
      .prune(Date.now() - 86_400_000)
      .catch((error: unknown) => log({ level: 'error', msg: 'prune failed', error: String(error) }))
  }, 3_600_000)
  prune.unref()

  const server = await new Promise<ReturnType<typeof serve>>((ready, fail) => {
    const s = serve({ fetch: app.fetch, ...listen }, (info) => {
      log({
        msg: 'listening',
        url: `http://${info.address}:${info.port}`,
        store: store.kind,
        bus: bus.kind,
        access_ttl: config.accessTtl,
        idle_timeout: config.idleTimeout,
        absolute_timeout: config.absoluteTimeout,
      })
      ready(s)
    })
    s.once('error', fail)
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : listen.port
  let closing: Promise<void> | undefined
  return {
    url: `http://${listen.hostname}:${port}`,
    close: () =>
      (closing ??= new Promise<void>((done) => {
        clearInterval(prune)
        server.close(() => done())
        if ('closeAllConnections' in server) server.closeAllConnections()
      }).then(async () => {
        app.close()
        await Promise.all([bus.close(), limiter?.close(), store.close()])
      })),
  }
}

/**
 * Hides the passwords of LEASH_DATABASE and LEASH_REDIS_URL in any text. The drivers' messages were read
 * and hold none (pg redacts its own URL errors; Redis answers AUTH errors without the password), so this
 * guards what no one has read yet: a new driver version, an error of the network stack.
 */
function redactorFor(env: Env): (text: string) => string {
  const database = env.LEASH_DATABASE?.startsWith('sqlite:') ? undefined : env.LEASH_DATABASE
  return createRedactor([database, env.LEASH_REDIS_URL])
}

const scrubEntry =
  (scrub: (text: string) => string) =>
  (entry: LogEntry): LogEntry => {
    const out: LogEntry = {}
    for (const [key, value] of Object.entries(entry))
      out[key] = typeof value === 'string' ? scrub(value) : value
    return out
  }

/**
 * What the program prints when `startServer` fails, then exits 1: the message of a bad setting or an
 * unreachable database, anything else in full; never with a password of the environment's URLs.
 */
export function startupFailure(error: unknown, env: Env): string {
  const scrub = redactorFor(env)
  if (error instanceof ConfigError) return scrub(`leash: ${error.message}`)
  if (error instanceof StoreUnavailableError)
    return scrub(`leash: cannot reach the database: ${String((error.cause as Error)?.message)}`)
  return scrub(`leash: ${inspect(error)}`)
}
