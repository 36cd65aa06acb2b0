import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError } from '../config.js'
import type { LogEntry } from '../log.js'
import { KEY_ID, type Keyring, oneKeyRing, validateKeyring } from '../tokens/keyring.js'
import { randomToken } from '../tokens/random.js'
import type { Env, OpenedStore } from './env.js'

/** The keys the environment gives, and how to read them again when they live in the database. */
export interface EnvKeys {
  keyring: Keyring
  /** Set for the database form: reads the ring again (`leash-server keys` changed it). */
  reload?: () => Promise<Keyring>
  /** Where the keys come from, for the log and `leash-server keys`. */
  source: 'LEASH_GLOBAL_SECRET' | 'LEASH_GLOBAL_SECRETS' | 'database' | 'file' | 'memory'
}

/** `LEASH_GLOBAL_SECRETS=database`: the keyring lives in PostgreSQL, managed by `leash-server keys`. */
export const DATABASE_KEYRING = 'database'

/**
 * `LEASH_GLOBAL_SECRETS=id:secret,…` with `LEASH_SIGNING_KEY=id`, as a ring; errors name ids and entry
 * numbers, never a secret. A secret holds no comma; everything after an entry's first colon is its secret.
 */
export function parseKeyList(list: string, signer: string | undefined): Keyring {
  const entries = list.split(',').map((e) => e.trim())
  const keys = entries.map((entry, i) => {
    const colon = entry.indexOf(':')
    if (colon <= 0)
      throw new ConfigError(
        `LEASH_GLOBAL_SECRETS entry ${i + 1} must be id:secret (ids: 1 to 32 of A-Z a-z 0-9 _ -)`,
      )
    const id = entry.slice(0, colon)
    if (!KEY_ID.test(id))
      throw new ConfigError(
        `LEASH_GLOBAL_SECRETS entry ${i + 1} must be id:secret with an id of 1 to 32 of A-Z a-z 0-9 _ -`,
      )
    return { id, secret: entry.slice(colon + 1) }
  })
  if (signer === undefined || signer.trim() === '')
    throw new ConfigError(
      `LEASH_SIGNING_KEY must name the key that signs, one of ${keys.map((k) => k.id).join(', ')}`,
    )
  try {
    return validateKeyring({ signer: signer.trim(), keys }, 'LEASH_GLOBAL_SECRETS')
  } catch (error) {
    const message = (error as Error).message.replace(/^LEASH_GLOBAL_SECRETS: the signer/, 'LEASH_SIGNING_KEY')
    throw new ConfigError(message)
  }
}

/** The development secret of a store that is not shared: a file beside SQLite, or a random one in memory. */
function localSecret(opened: OpenedStore, log: (entry: LogEntry) => void): EnvKeys {
  if (opened.dataDir === null) {
    log({ level: 'warn', msg: 'LEASH_GLOBAL_SECRET is not set: using a random one for this in-memory run' })
    return { keyring: oneKeyRing(randomToken(48)), source: 'memory' }
  }
  const file = join(opened.dataDir, 'leash.secret')
  if (!existsSync(file)) {
    mkdirSync(opened.dataDir, { recursive: true })
    writeFileSync(file, randomToken(48), { mode: 0o600 })
  }
  log({
    level: 'warn',
    msg: 'LEASH_GLOBAL_SECRET is not set: using the development secret kept beside the database',
    file,
  })
  return { keyring: oneKeyRing(readFileSync(file, 'utf8').trim()), source: 'file' }
}

/** The keyring kept in PostgreSQL, seeded from the development secret the instances shared before it. */
export async function databaseKeys(opened: OpenedStore): Promise<EnvKeys> {
  const table = opened.keyring
  if (!table) throw new ConfigError('LEASH_GLOBAL_SECRETS=database needs LEASH_DATABASE to be PostgreSQL')
  const seed = () => opened.store.initMeta('dev_global_secret', randomToken(48))
  const reload = async () => validateKeyring(await table.load(seed), 'the keyring in the database')
  return { keyring: await reload(), reload, source: 'database' }
}

/**
 * The keys: `LEASH_GLOBAL_SECRET` (one key, id `default`), or `LEASH_GLOBAL_SECRETS=id:secret,…` with
 * `LEASH_SIGNING_KEY`, or `LEASH_GLOBAL_SECRETS=database` (PostgreSQL's keyring, also in production);
 * without any, in development: the database's keyring on PostgreSQL, a file beside SQLite, a random one
 * in memory. Production refuses to start without one of the three.
 */
export async function keysFromEnv(
  env: Env,
  opened: OpenedStore,
  log: (entry: LogEntry) => void,
): Promise<EnvKeys> {
  const one = env.LEASH_GLOBAL_SECRET
  const list = env.LEASH_GLOBAL_SECRETS?.trim() || undefined
  if (one !== undefined && list !== undefined)
    throw new ConfigError('set LEASH_GLOBAL_SECRET or LEASH_GLOBAL_SECRETS, not both')
  const signer = env.LEASH_SIGNING_KEY?.trim() || undefined
  if (signer !== undefined && (list === undefined || list === DATABASE_KEYRING))
    throw new ConfigError(
      'LEASH_SIGNING_KEY goes with LEASH_GLOBAL_SECRETS=id:secret,… (the database keyring: leash-server keys use <id>)',
    )
  if (one !== undefined) {
    if (Buffer.byteLength(one) < 32) throw new ConfigError('LEASH_GLOBAL_SECRET must be at least 32 bytes')
    return { keyring: oneKeyRing(one), source: 'LEASH_GLOBAL_SECRET' }
  }
  if (list === DATABASE_KEYRING) return databaseKeys(opened)
  if (list !== undefined) return { keyring: parseKeyList(list, signer), source: 'LEASH_GLOBAL_SECRETS' }
  if (env.NODE_ENV === 'production')
    throw new ConfigError(
      'LEASH_GLOBAL_SECRET (or LEASH_GLOBAL_SECRETS) is required when NODE_ENV=production',
    )
  if (opened.keyring) {
    // Every instance must sign with the same keys: the first to start seeds them, the others read them.
    log({
      level: 'warn',
      msg: 'LEASH_GLOBAL_SECRET is not set: using the development keyring kept in the database',
    })
    return databaseKeys(opened)
  }
  return localSecret(opened, log)
}
