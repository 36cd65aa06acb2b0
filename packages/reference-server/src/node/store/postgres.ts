import type pg from 'pg'
import { LastAdminError } from '../../errors.js'
import { losesAdmin } from '../../store/loses-admin.js'
import { planRefresh } from '../../store/refresh-rule.js'
import type { NoteRecord, Role, Store } from '../../store/types.js'
import { postgresDriver } from '../drivers.js'
import { postgresAccount } from './postgres-account.js'
import { insertEvents, postgresAudit } from './postgres-audit.js'
import { type KeyringTable, postgresKeyring } from './postgres-keyring.js'
import { postgresOutbox } from './postgres-outbox.js'
import { type Row, toFamily, toSession, toUser, types } from './postgres-rows.js'
import { migrate, SchemaTooNewError } from './postgres-schema.js'
import {
  END_LEAST_RECENTLY_USED,
  END_SESSION,
  endingSessions,
  FAMILY_FOR_UPDATE,
  INSERT_OUTBOX,
  INSERT_SESSION,
  INSERT_USER,
  LIVE,
  mapPgError,
  PRUNE_EVENTS,
  PRUNE_SESSIONS,
  patchValues,
  ROTATE_GLOBAL_EPOCH,
  SESSION_OF_TOKEN,
  UPDATE_USER,
  userValues,
  WRITE_FAMILY,
} from './postgres-sql.js'

export { mapPgError }

export interface PostgresStoreOptions {
  /** `postgres://user:pass@host:port/db` */
  url: string
  /** The schema the tables live in (created if missing); default `public`. Tests use one schema each. */
  schema?: string
  /** Pool size per instance (default 10). */
  max?: number
  /** Bound on one statement, client and server side (ms, default 5000). */
  statementTimeout?: number
  /** Bound on getting a connection (ms, default 2000). */
  connectTimeout?: number
  log?: (entry: Record<string, string>) => void
}

/**
 * PostgreSQL through a `pg` pool. Every method is one statement (data-modifying CTEs where two tables
 * change together), so each is atomic without a client checkout; `updateUser` with `keepAnAdmin` takes a
 * transaction, to check and change the admins together, and so does a change given audit events, to
 * write them with it (`withEvents`); a change's outbox row is written by its own statement. The schema is created or migrated before
 * the first query; a database that is down gives `StoreUnavailableError`, and the pool reconnects by
 * itself when it returns.
 */
export function createPostgresStore(
  options: PostgresStoreOptions,
): Store & { ready(): Promise<void>; keyring: KeyringTable } {
  const schema = options.schema ?? 'public'
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad schema name "${schema}"`)
  const timeout = options.statementTimeout ?? 5000
  const { Pool } = postgresDriver()
  const pool = new Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeout ?? 2000,
    idleTimeoutMillis: 30_000,
    query_timeout: timeout + 1000,
    options: `-c search_path=${schema} -c statement_timeout=${timeout}`,
    application_name: 'leash',
    types,
  })
  // An idle client whose server went away emits here; the pool drops it and makes a new one on demand.
  pool.on('error', (error) =>
    options.log?.({ level: 'warn', msg: 'postgres client error', error: error.message }),
  )

  let migrated: Promise<void> | undefined
  const ready = () => {
    migrated ??= migrate(pool, schema).catch((error: unknown) => {
      migrated = undefined // try again at the next call
      throw error instanceof SchemaTooNewError ? error : mapPgError(error)
    })
    return migrated
  }

  const query = async (text: string, values: unknown[] = []): Promise<pg.QueryResult<Row>> => {
    await ready()
    try {
      return await pool.query<Row>(text, values)
    } catch (error) {
      throw mapPgError(error)
    }
  }
  const one = async <T>(text: string, values: unknown[], map: (r: Row) => T): Promise<T | null> => {
    const { rows } = await query(text, values)
    return rows[0] ? map(rows[0]) : null
  }
  /** Runs `run` in a transaction on one client; its errors roll it back and pass through mapped. */
  const transaction = async <T>(run: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    await ready()
    const client = await pool.connect().catch((error: unknown) => {
      throw mapPgError(error)
    })
    try {
      await client.query('BEGIN')
      const result = await run(client)
      await client.query('COMMIT')
      client.release()
      return result
    } catch (error) {
      // A client whose ROLLBACK fails is broken: release it with the error, so the pool drops it.
      const broken = await client.query('ROLLBACK').then(
        () => undefined,
        (e: unknown) => e as Error,
      )
      client.release(broken)
      throw error instanceof LastAdminError ? error : mapPgError(error)
    }
  }

  const audit = postgresAudit(query, transaction)
  const { withEvents } = audit
  const account = postgresAccount(query, transaction)

  return {
    kind: 'postgres',
    ready,
    keyring: postgresKeyring(query, transaction),
    async createUser(u, events) {
      await withEvents(INSERT_USER, userValues(u), events)
      return { ...u, email: u.email ?? null, emailVerified: u.emailVerified ?? false }
    },
    findUserById: (id) => one('SELECT * FROM users WHERE id = $1', [id], toUser),
    findUserByUsername: (name) =>
      one('SELECT * FROM users WHERE username_key = $1', [name.toLowerCase()], toUser),
    findUserByEmail: (email) =>
      one('SELECT * FROM users WHERE email_key = $1', [email.toLowerCase()], toUser),
    listUsers: async () => (await query('SELECT * FROM users ORDER BY created_at, id')).rows.map(toUser),
    async updateUser(id, patch, end, options) {
      const values = patchValues(id, patch, end)
      if (!options?.keepAnAdmin) {
        const { rows } = await withEvents(UPDATE_USER, values, options?.audit, (r) => r.rows.length > 0)
        return rows[0] ? toUser(rows[0]) : null
      }
      return transaction(async (client) => {
        // Locking the enabled admins' rows serialises every guarded change: a second one waits here until
        // the first commits, then reads the admins as they are now (read committed re-reads locked rows).
        const admins = await client.query<Row>(
          "SELECT id FROM users WHERE role = 'admin' AND enabled ORDER BY id FOR UPDATE",
        )
        const before = await client.query<Row>('SELECT role, enabled FROM users WHERE id = $1', [id])
        const user = before.rows[0]
        if (!user) return null
        const others = admins.rows.filter((r) => r.id !== id).length
        const now = { role: user.role as Role, enabled: user.enabled as boolean }
        if (losesAdmin(now, patch) && others === 0) throw new LastAdminError()
        const { rows } = await client.query<Row>(UPDATE_USER, values)
        if (rows[0]) await insertEvents(client, options.audit)
        return rows[0] ? toUser(rows[0]) : null
      })
    },
    async createSession(s, hash, cap, events) {
      const values = [
        ...[s.id, s.userId, s.createdAt, s.lastRefreshAt, s.absoluteExpiresAt, s.transport],
        ...[hash, s.userAgent, s.authTime],
      ]
      if (!cap && !events) {
        await query(INSERT_SESSION, values)
        return []
      }
      return transaction(async (client) => {
        // Locking the user's row serialises the user's sign-ins: each counts what the one before it left.
        if (cap) await client.query('SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE', [s.userId])
        await client.query(INSERT_SESSION, values)
        const lru = cap && [s.userId, cap.now, cap.idleTimeoutMs, s.id, cap.max]
        const ended = lru ? (await client.query<Row>(END_LEAST_RECENTLY_USED, lru)).rows : []
        const ids = ended.map((r) => r.id as string)
        await insertEvents(client, events?.(ids))
        return ids
      })
    },
    findSession: (id) => one('SELECT * FROM sessions WHERE id = $1', [id], toSession),
    findRefreshFamily: (hash) =>
      one(SESSION_OF_TOKEN, [hash], (r) => ({ session: toSession(r), family: toFamily(r) })),
    spendRefreshToken: (hash, next, now, policy, family, events) =>
      transaction(async (client) => {
        // Locks the family's session row: a concurrent presentation of the same family waits here, then
        // reads what this one wrote (read committed re-reads a row it had to wait for).
        const { rows } = await client.query<Row>(FAMILY_FOR_UPDATE, [hash, family ?? null])
        const row = rows[0]
        if (!row) return null
        const plan = planRefresh(toSession(row), toFamily(row), hash, next, now, policy)
        if (plan.changed) {
          const { session: s, family: f } = plan
          const issued = f.current !== null && f.current !== row.refresh_current ? f.current : null
          await client.query(WRITE_FAMILY, [
            ...[s.id, s.lastRefreshAt, s.endedAt, s.endReason],
            ...[f.current, f.previous, f.previousUsedAt, f.retried],
            ...[issued, plan.dropped],
          ])
          if (row.ended_at === null && s.endedAt !== null)
            await client.query(INSERT_OUTBOX, [now, 'session', s.id])
        }
        await insertEvents(client, events?.({ verdict: plan.verdict, session: plan.session }))
        return { verdict: plan.verdict, session: plan.session }
      }),
    async setAuthTime(id, at, events) {
      const { rows } = await withEvents(
        'UPDATE sessions SET auth_time = $1 WHERE id = $2 AND ended_at IS NULL RETURNING *',
        [at, id],
        events,
        (r) => r.rows.length > 0,
      )
      return rows[0] ? toSession(rows[0]) : null
    },
    async endSession(id, reason, now, events) {
      const ended = (r: pg.QueryResult<Row>) => r.rowCount === 1
      return ended(await withEvents(END_SESSION, [now, reason, id], events, ended))
    },
    listSessions: async (userId, { now, idleTimeoutMs, limit }) =>
      (
        await query(
          `SELECT * FROM sessions WHERE user_id = $1 AND ${LIVE}
           ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT $4`,
          [userId, now, idleTimeoutMs, limit],
        )
      ).rows.map(toSession),
    async endUserSession(userId, id, reason, { now, idleTimeoutMs }, events) {
      // Ownership and liveness are conditions of the one UPDATE: nothing can change in between.
      const { rowCount } = await withEvents(
        endingSessions(
          `UPDATE sessions SET ended_at = $2, end_reason = $5 WHERE user_id = $1 AND id = $4 AND ${LIVE}`,
          '$2',
        ),
        [userId, now, idleTimeoutMs, id, reason],
        events,
        (r) => r.rowCount === 1,
      )
      return rowCount === 1
    },
    ...account,
    async rotateGlobalEpoch(epoch, now, events) {
      await withEvents(ROTATE_GLOBAL_EPOCH, [epoch, now], events)
    },
    async pruneEvents(before, limit) {
      const { rowCount } = await query(PRUNE_EVENTS, [before, limit ?? null])
      return rowCount ?? 0
    },
    async prune(before, limit) {
      const { rowCount } = await query(PRUNE_SESSIONS, [before, limit ?? null])
      return rowCount ?? 0
    },
    ...postgresOutbox(query),
    recordEvents: audit.recordEvents,
    listEvents: audit.listEvents,
    listNotes: async (userId) =>
      (await query('SELECT * FROM notes WHERE user_id = $1 ORDER BY created_at, seq', [userId])).rows.map(
        (r): NoteRecord => ({
          id: r.id as string,
          userId: r.user_id as string,
          text: r.text as string,
          createdAt: r.created_at as number,
        }),
      ),
    async addNote(n) {
      await query('INSERT INTO notes (id, user_id, text, created_at) VALUES ($1, $2, $3, $4)', [
        n.id,
        n.userId,
        n.text,
        n.createdAt,
      ])
      return { ...n }
    },
    getMeta: (key) => one('SELECT value FROM meta WHERE key = $1', [key], (r) => r.value as string),
    async initMeta(key, value) {
      // Two statements: the SELECT must see a row a concurrent instance inserted (read committed).
      await query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value])
      return (await one('SELECT value FROM meta WHERE key = $1', [key], (r) => r.value as string))!
    },
    async ping() {
      await query('SELECT 1')
    },
    async close() {
      await pool.end()
    },
  }
}
