import { availableParallelism } from 'node:os'
import { createApp, type LeashApp } from '../app.js'
import { createInProcessBus } from '../bus/in-process.js'
import type { Bus } from '../bus/types.js'
import { configFromEnv, defaultConfig, type ServerConfig } from '../config.js'
import type { LogEntry } from '../log.js'
import { parseSeedUsers, seedUsers } from '../seed.js'
import type { Store } from '../store/types.js'
import { createRedisRateLimiter } from './auth/redis-rate-limit.js'
import { createScryptHasher } from './auth/scrypt-hasher.js'
import { createRedisBus } from './bus/redis.js'
import {
  type Env,
  listenOptions,
  logFromEnv,
  metricsListenFrom,
  openStore,
  redisUrlFrom,
  trustedProxiesFrom,
} from './env.js'
import { keysFromEnv } from './keyring-env.js'
import { mailerFromEnv } from './mail/mail-from-env.js'
import { createPromMetrics, type PromMetrics } from './metrics.js'
import { nodeAuthorization, nodeClientIpBehind, nodeCookie } from './node-request.js'
import { pruneIntervalFrom, schedulePruning } from './prune-schedule.js'
import { nodeCodec } from './tokens/node-codec.js'

/**
 * Hashes at once by default: one core and one libuv pool thread stay free, for the event loop (which
 * answers every other request) and for the pool's other jobs (files, DNS lookups); at least one.
 */
function defaultHashConcurrency(env: Env): number {
  const poolThreads = Number(env.UV_THREADPOOL_SIZE) || 4
  return Math.max(1, Math.min(availableParallelism(), poolThreads) - 1)
}

/** The Leash app as the `LEASH_*` environment configures it, ready to serve; nothing listens yet. */
export interface EnvApp {
  readonly app: LeashApp
  readonly config: ServerConfig
  readonly store: Store
  readonly bus: Bus
  /** LEASH_PORT and LEASH_HOST. */
  readonly listen: { port: number; hostname: string }
  /** JSON lines on stdout, as LEASH_LOG says, passwords scrubbed. */
  readonly log: (entry: LogEntry) => void
  /**
   * With LEASH_METRICS_PORT: the Prometheus metrics of this app and its bus, and where `startServer` serves
   * them (`serveMetrics`; an app that serves Leash itself calls it, or answers `metrics.text()` its own way).
   */
  readonly metrics: { prom: PromMetrics; listen: { port: number; hostname: string } } | null
  /** Stops the pruning, the app, the bus, the limiter and the store (closing a socket is the caller's). */
  close(): Promise<void>
}

/**
 * What `leash-server` serves, for an app that serves it itself (Express, Fastify, another Hono app): the same
 * `LEASH_*` variables, read the same way: store (SQLite by default), Redis bus and limiter, scrypt, the
 * `node:crypto` codec, seeded users, the global secret (a development one kept beside the database),
 * pruning of ended sessions (30 s after start, then every LEASH_PRUNE_INTERVAL). Throws `ConfigError` for a bad value.
 * @example
 * const leash = await appFromEnv(process.env)
 * expressApp.use(leashRouter(leash.app))
 * expressApp.listen(leash.listen.port, leash.listen.hostname)
 */
export async function appFromEnv(env: Env = process.env, options: { quiet?: boolean } = {}): Promise<EnvApp> {
  const { log, keeps } = logFromEnv(env, options.quiet)
  const config = configFromEnv(env, { ...defaultConfig, hashConcurrency: defaultHashConcurrency(env) })
  const listen = listenOptions(env)
  const seeds = parseSeedUsers(env.LEASH_SEED_USERS)
  const redisUrl = redisUrlFrom(env)
  const trustedProxies = trustedProxiesFrom(env)
  const pruneIntervalMs = pruneIntervalFrom(env)
  const metricsListen = metricsListenFrom(env)
  // Before the store opens: a missing prom-client is a start-up error with nothing to close.
  const prom = metricsListen ? createPromMetrics() : null
  const metrics = prom?.metrics
  const mailer = mailerFromEnv(env, config)
  const opened = await openStore(env.LEASH_DATABASE || 'sqlite:./data/leash.db', log, env)
  const { store } = opened
  const hasher = createScryptHasher()
  const keys = await keysFromEnv(env, opened, log).catch(async (error: unknown) => {
    await store.close()
    throw error
  })
  // With Redis, invalidations reach every instance and attempts are counted across all of them, under
  // keys every instance derives alike from the signing key's secret.
  const bus = redisUrl
    ? createRedisBus({ url: redisUrl, log, ...(metrics && { metrics }) })
    : createInProcessBus()
  prom?.watchBus(bus)
  prom?.hashLimits(config.hashConcurrency, config.hashQueue)
  // The ring as last read, for the limiter's key (the signer's secret).
  let ring = keys.keyring
  const reloadKeyring = keys.reload && (async () => (ring = await keys.reload!()))
  const signerSecret = () => ring.keys.find((k) => k.id === ring.signer)!.secret
  const limiter = redisUrl ? createRedisRateLimiter({ url: redisUrl, secret: signerSecret, log }) : undefined
  const closeAdapters = () =>
    Promise.all([bus.close(), limiter?.close(), store.close(), mailer?.close()]).then(() => {})
  const app = createApp({
    store,
    bus,
    hasher,
    config,
    codec: nodeCodec,
    ...(limiter && { rateLimiter: limiter }),
    keyring: keys.keyring,
    ...(reloadKeyring && { reloadKeyring }),
    clientIp: nodeClientIpBehind(trustedProxies),
    authorization: nodeAuthorization,
    cookie: nodeCookie,
    log,
    logRequests: keeps({ msg: 'request' }),
    ...(metrics && { metrics }),
    ...(mailer && { mailer }),
  })
  const created = await seedUsers(store, hasher, seeds, Date.now())
  for (const u of created) log({ msg: 'seeded user', username: u.username, role: u.role })

  // Sessions that ended (or expired) more than a day ago are deleted, with their refresh-token hashes;
  // audit events older than LEASH_AUDIT_RETENTION days with them.
  const pruning = schedulePruning({
    store,
    intervalMs: pruneIntervalMs,
    auditRetentionMs: config.auditRetention * 86_400_000,
    log,
    ...(metrics && { metrics }),
  })

  return {
    app,
    config,
    store,
    bus,
    listen,
    log,
    metrics: prom && metricsListen && { prom, listen: metricsListen },
    close: async () => {
      pruning.stop()
      await app.flushAudit()
      app.close()
      await closeAdapters()
    },
  }
}
