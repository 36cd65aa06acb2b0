import { createRequire } from 'node:module'
import type Database from 'better-sqlite3'
import type * as IORedis from 'ioredis'
import type * as Nodemailer from 'nodemailer'
import type * as Pg from 'pg'
import type * as PromClient from 'prom-client'
import { ConfigError } from '../config.js'

// The database, Redis and SMTP drivers (and prom-client, for LEASH_METRICS_PORT) are optional peer dependencies (as Kysely and Drizzle take theirs): a team
// that runs only the msw form, the verifier or an adapter never installs, let alone compiles, them. Each is
// loaded the first time a store or a bus asks for it; a missing one is a start-up failure that names the
// package to install, never an import error at load time.

const require = createRequire(import.meta.url)

/** A driver that is not installed: a configuration error, reported at start with the command that fixes it. */
export class MissingDriverError extends ConfigError {
  override name = 'MissingDriverError'
  constructor(
    /** The npm package to install. */
    readonly driver: string,
    purpose: string,
  ) {
    super(`${purpose} needs the package ${driver}, which is not installed: npm install ${driver}`)
  }
}

const loaded = new Map<string, unknown>()

function load<T>(driver: string, purpose: string): T {
  if (loaded.has(driver)) return loaded.get(driver) as T
  try {
    const module = require(driver) as T
    loaded.set(driver, module)
    return module
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException
    // only the driver itself missing: a driver whose own dependency is missing is not this error
    if (code === 'MODULE_NOT_FOUND' && message.includes(`'${driver}'`))
      throw new MissingDriverError(driver, purpose)
    throw error
  }
}

/** `better-sqlite3`'s `Database` class (the SQLite store, Leash's default database). */
export const sqliteDriver = (): typeof Database =>
  load<typeof Database>('better-sqlite3', 'The SQLite store (the default; LEASH_DATABASE=sqlite:…)')

/** The `pg` module (the PostgreSQL store). */
export const postgresDriver = (): typeof Pg =>
  load<typeof Pg>('pg', 'The PostgreSQL store (LEASH_DATABASE=postgres://…)')

/** `ioredis`'s `Redis` class (the Redis bus and rate limiter). */
export const redisDriver = (): typeof IORedis.Redis =>
  load<typeof IORedis>('ioredis', 'Redis (LEASH_REDIS_URL)').Redis

/** The `prom-client` module (the Prometheus metrics of LEASH_METRICS_PORT). */
export const promClientDriver = (): typeof PromClient =>
  load<typeof PromClient>('prom-client', 'Metrics (LEASH_METRICS_PORT)')
/** The `nodemailer` module (account mail over SMTP). */
export const mailDriver = (): typeof Nodemailer =>
  load<typeof Nodemailer>('nodemailer', 'Sending mail (LEASH_SMTP_URL)')
