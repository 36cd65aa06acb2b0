import { dirname, resolve } from 'node:path'
import { parseTrustedProxies, type TrustedProxies } from '../auth/client-address.js'
import { ConfigError } from '../config.js'
import type { LogEntry } from '../log.js'
import { createRedactor, redactUrl } from '../redact.js'
import type { Store } from '../store/types.js'
import { createPostgresStore } from './store/postgres.js'
import type { KeyringTable } from './store/postgres-keyring.js'
import { createSqliteStore } from './store/sqlite.js'

// The `LEASH_*` readings that the server, an app around it (`appFromEnv`) and a service that only verifies
// (`verifierFromEnv`) share, so that each honours the same variables the same way.

export type Env = Record<string, string | undefined>

/** Which log lines are written: `all` (the default), `warn` (warnings, errors and the listening line), `none`. */
function logFilter(env: Env): (entry: LogEntry) => boolean {
  const level = (env.LEASH_LOG ?? 'all').trim().toLowerCase() || 'all'
  if (level === 'all') return () => true
  if (level === 'none') return () => false
  if (level === 'warn') return (e) => e.level === 'warn' || e.level === 'error' || e.msg === 'listening'
  throw new ConfigError(`LEASH_LOG must be all, warn or none, got "${env.LEASH_LOG}"`)
}

/**
 * Hides the passwords of LEASH_DATABASE, LEASH_REDIS_URL and LEASH_SMTP_URL, and the secrets of
 * LEASH_GLOBAL_SECRET and LEASH_GLOBAL_SECRETS, in any text. The drivers' messages were read and hold none
 * (pg redacts its own URL errors; Redis answers AUTH errors without the password), and no message of ours
 * names a secret, so this
 * guards what no one has read yet: a new driver version, an error of the network stack.
 */
export function redactorFor(env: Env): (text: string) => string {
  const database = env.LEASH_DATABASE?.startsWith('sqlite:') ? undefined : env.LEASH_DATABASE
  const secrets = [
    env.LEASH_GLOBAL_SECRET,
    ...(env.LEASH_GLOBAL_SECRETS ?? '')
      .split(',')
      .filter((entry) => entry.includes(':'))
      .map((entry) => entry.slice(entry.indexOf(':') + 1).trim()),
  ]
  return createRedactor([database, env.LEASH_REDIS_URL, env.LEASH_SMTP_URL], secrets)
}

/** The log as LEASH_LOG says: JSON lines on stdout, with the environment's passwords scrubbed. */
export interface EnvLog {
  log: (entry: LogEntry) => void
  /** Whether a line with this message would be written (a per-request line costs, so ask first). */
  keeps: (entry: LogEntry) => boolean
}

export function logFromEnv(env: Env, quiet = false): EnvLog {
  const keep = logFilter(env)
  const scrub = redactorFor(env)
  const scrubEntry = (entry: LogEntry): LogEntry => {
    const out: LogEntry = {}
    for (const [key, value] of Object.entries(entry))
      out[key] = typeof value === 'string' ? scrub(value) : value
    return out
  }
  const write = (entry: LogEntry) =>
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...scrubEntry(entry) })}\n`)
  if (quiet) return { log: () => {}, keeps: () => false }
  return { log: (entry) => keep(entry) && write(entry), keeps: keep }
}

/** LEASH_PORT (default 8787) and LEASH_HOST (default 127.0.0.1). */
export function listenOptions(env: Env) {
  const port = Number(env.LEASH_PORT ?? 8787)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`LEASH_PORT must be a port number, got "${env.LEASH_PORT}"`)
  return { port, hostname: env.LEASH_HOST || '127.0.0.1' }
}

/**
 * LEASH_METRICS_PORT and LEASH_METRICS_HOST (default 127.0.0.1, whatever LEASH_HOST is: the metrics show
 * sign-in and refusal rates, so they reach a scraper only where one is let in); null when the port is not
 * set (no metrics). Never LEASH_PORT: `/metrics` is not served on the public port.
 */
export function metricsListenFrom(env: Env): { port: number; hostname: string } | null {
  const raw = env.LEASH_METRICS_PORT?.trim()
  if (!raw) {
    if (env.LEASH_METRICS_HOST?.trim())
      throw new ConfigError(
        'LEASH_METRICS_HOST is set but LEASH_METRICS_PORT is not: set both to serve /metrics',
      )
    return null
  }
  const port = Number(raw)
  if (!/^\d+$/.test(raw) || port > 65535)
    throw new ConfigError(`LEASH_METRICS_PORT must be a port number, got "${env.LEASH_METRICS_PORT}"`)
  if (port !== 0 && port === listenOptions(env).port)
    throw new ConfigError(
      `LEASH_METRICS_PORT must differ from LEASH_PORT (${port}): /metrics is never public`,
    )
  return { port, hostname: env.LEASH_METRICS_HOST?.trim() || '127.0.0.1' }
}

/** The URL, or a ConfigError that shows it without its password (`new URL`'s own error carries it whole). */
export function parseUrl(name: string, url: string): URL {
  try {
    return new URL(url)
  } catch {
    throw new ConfigError(`${name} is not a valid URL: "${redactUrl(url)}"`)
  }
}

/**
 * LEASH_TRUSTED_PROXIES: the proxies whose `X-Forwarded-For` / `Forwarded` name the client, as addresses
 * and CIDR ranges (`10.0.0.0/8,::1,fd00::/8`, `loopback`); empty when it is not set (the socket's peer is
 * the client).
 */
export function trustedProxiesFrom(env: Env): TrustedProxies {
  const { ranges, bad } = parseTrustedProxies(env.LEASH_TRUSTED_PROXIES ?? '')
  if (bad.length > 0)
    throw new ConfigError(
      `LEASH_TRUSTED_PROXIES holds "${bad[0]}", which is not an address or a range like 10.0.0.0/8 or fd00::/8`,
    )
  return ranges
}

/** LEASH_REDIS_URL, checked, or undefined when it is not set. */
export function redisUrlFrom(env: Env): string | undefined {
  const redisUrl = env.LEASH_REDIS_URL?.trim() || undefined
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl))
    throw new ConfigError(`LEASH_REDIS_URL must be a redis:// or rediss:// URL, got "${redactUrl(redisUrl)}"`)
  if (redisUrl) parseUrl('LEASH_REDIS_URL', redisUrl) // ioredis would throw `new URL`'s error, URL and all
  return redisUrl
}

export const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//.test(url)

export interface OpenedStore {
  store: Store
  /** Where a development secret is kept beside the database (null: nowhere on disk). */
  dataDir: string | null
  /** Several instances share it: a development keyring lives in the database itself. */
  shared?: boolean
  /** The database's keyring table (PostgreSQL), managed by `leash-server keys`. */
  keyring?: KeyringTable
}

/** LEASH_SQLITE_SYNCHRONOUS: `full` (the default: durable commits) or `normal`. */
export function sqliteSynchronous(env: Env): 'full' | 'normal' {
  const raw = (env.LEASH_SQLITE_SYNCHRONOUS ?? '').trim().toLowerCase()
  if (raw === '' || raw === 'full') return 'full'
  if (raw === 'normal') return 'normal'
  throw new ConfigError(
    `LEASH_SQLITE_SYNCHRONOUS must be full or normal, got "${env.LEASH_SQLITE_SYNCHRONOUS}"`,
  )
}

/** `sqlite:<path>`, `sqlite::memory:` or a `postgres://` URL (its schema is created or migrated here). */
export async function openStore(
  url: string,
  log: (entry: LogEntry) => void,
  env: Env = {},
): Promise<OpenedStore> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length)
    if (!path) throw new ConfigError('LEASH_DATABASE "sqlite:" needs a path, or :memory:')
    const options = { synchronous: sqliteSynchronous(env) }
    if (path === ':memory:') return { store: createSqliteStore(':memory:', options), dataDir: null }
    const file = resolve(path)
    return { store: createSqliteStore(file, options), dataDir: dirname(file) }
  }
  if (isPostgresUrl(url)) {
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
    return { store, dataDir: null, shared: true, keyring: store.keyring }
  }
  throw new ConfigError(
    `LEASH_DATABASE must be sqlite:<path>, sqlite::memory: or postgres://…, got "${redactUrl(url)}"`,
  )
}
