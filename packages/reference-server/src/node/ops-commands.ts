import { chmodSync, existsSync, renameSync, rmSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { createAudit } from '../auth/audit.js'
import { ConfigError } from '../config.js'
import { randomToken } from '../tokens/random.js'
import { announce } from './announce.js'
import { sqliteDriver } from './drivers.js'
import { type Env, isPostgresUrl, logFromEnv, openStore, redisUrlFrom } from './env.js'

/** What a command prints on success (one line per entry); a failure throws, as `startServer` does. */
export type CommandOutput = string[]

const DEFAULT_DATABASE = 'sqlite:./data/leash.db'

/** The SQLite file LEASH_DATABASE names; a clear refusal for PostgreSQL or an in-memory database. */
function sqliteFile(env: Env, command: string): string {
  const url = env.LEASH_DATABASE || DEFAULT_DATABASE
  if (isPostgresUrl(url))
    throw new ConfigError(
      `${command} copies the SQLite file; on PostgreSQL back up with pg_dump (or your provider's snapshots)`,
    )
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : ''
  if (path === '' || path === ':memory:')
    throw new ConfigError(`${command} needs LEASH_DATABASE=sqlite:<path> naming a file, got "${url}"`)
  const file = resolve(path)
  if (!existsSync(file)) throw new ConfigError(`${command}: there is no database at ${file}`)
  return file
}

/**
 * `leash-server backup <file>`: a consistent copy of the SQLite database while the server keeps serving
 * (SQLite's online backup, which reads a snapshot and includes what the WAL holds), checked with
 * `PRAGMA integrity_check`, turned into a self-contained file (no `-wal` beside it), readable by its
 * owner only (it holds every user's secret and password hash), and moved into place only when complete.
 * Refuses to overwrite a file: nothing is lost to a mistyped name.
 */
export async function backupCommand(env: Env, args: readonly string[]): Promise<CommandOutput> {
  const [target, ...rest] = args
  if (!target || rest.length > 0) throw new ConfigError('usage: leash-server backup <file>')
  const source = sqliteFile(env, 'backup')
  const destination = resolve(target)
  if (existsSync(destination)) throw new ConfigError(`backup: ${destination} exists; name a new file`)
  const partial = `${destination}.partial-${randomToken(6)}`
  const Sqlite = sqliteDriver()
  const db = new Sqlite(source, { fileMustExist: true })
  try {
    db.pragma('busy_timeout = 5000')
    await db.backup(partial)
  } finally {
    db.close()
  }
  try {
    chmodSync(partial, 0o600)
    const copy = new Sqlite(partial, { fileMustExist: true })
    let summary: { version: number; users: number; sessions: number }
    try {
      const check = copy.pragma('integrity_check', { simple: true })
      if (check !== 'ok') throw new Error(`backup: the copy failed its integrity check: ${String(check)}`)
      copy.pragma('journal_mode = DELETE')
      summary = {
        version: copy.pragma('user_version', { simple: true }) as number,
        users: (copy.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n,
        sessions: (
          copy.prepare('SELECT count(*) AS n FROM sessions WHERE ended_at IS NULL').get() as { n: number }
        ).n,
      }
    } finally {
      copy.close()
    }
    renameSync(partial, destination)
    return [
      `leash: backed up ${source} to ${destination} (${statSync(destination).size} bytes, schema version ${summary.version}, ${summary.users} users, ${summary.sessions} sessions not ended)`,
    ]
  } catch (error) {
    rmSync(partial, { force: true })
    throw error
  }
}

/** How long `revoke-all` waits for Redis before saying the instances will see it from their caches' age. */
const BUS_WAIT_MS = 5_000

/**
 * `leash-server revoke-all`: what `POST /admin/revoke-all` does, for an operator without an admin's
 * session (after restoring a backup, which brings back sessions revoked since it was taken; or when an
 * admin account is itself in doubt). Rotates the global epoch in the store, so every access token and
 * session of every user ends; records `sessions.revoked_all` (actor none, user agent this command); tells
 * every running instance over Redis when LEASH_REDIS_URL is set. Without Redis, or if it does not answer,
 * instances still see it within 5 s: no instance serves a cached epoch older than that.
 */
export async function revokeAllCommand(env: Env, args: readonly string[]): Promise<CommandOutput> {
  if (args.length > 0) throw new ConfigError('usage: leash-server revoke-all')
  const { log } = logFromEnv({ ...env, LEASH_LOG: 'warn' })
  const redisUrl = redisUrlFrom(env)
  const opened = await openStore(env.LEASH_DATABASE || DEFAULT_DATABASE, log, env)
  const { store } = opened
  const output: CommandOutput = []
  try {
    const audit = createAudit({ store, now: Date.now, log })
    const context = { address: null, userAgent: 'leash-server revoke-all', actor: null }
    await store.rotateGlobalEpoch(randomToken(16), Date.now(), [audit.event('sessions.revoked_all', context)])
    output.push('leash: rotated the global epoch: every session and access token of every user has ended')
    if (redisUrl)
      output.push(
        (await announce(redisUrl, { kind: 'all' }, log, BUS_WAIT_MS))
          ? 'leash: told every running instance over Redis'
          : 'leash: Redis did not answer: running instances will see it within 5 s, from their caches’ age',
      )
  } finally {
    await store.close()
  }
  return output
}
