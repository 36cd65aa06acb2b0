import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { LastAdminError } from '../../errors.js'
import { losesAdmin } from '../../store/loses-admin.js'
import { planRefresh } from '../../store/refresh-rule.js'
import type {
  AuditEvent,
  AuditFor,
  EndSessions,
  Liveness,
  NoteRecord,
  RefreshPolicy,
  SessionCap,
  SessionRecord,
  SpentRefreshToken,
  Store,
  UpdateOptions,
  UserPatch,
} from '../../store/types.js'
import { sqliteDriver } from '../drivers.js'
import { sqliteAccount } from './sqlite-account.js'
import { sqliteAudit } from './sqlite-audit.js'
import { sqliteOutbox } from './sqlite-outbox.js'
import { guard, nullable, type SessionRow, toFamily, toSession, toUser, type UserRow } from './sqlite-rows.js'
import { configure, migrate, PRUNE_SESSIONS, type SqliteStoreOptions } from './sqlite-schema.js'

/**
 * The embedded default: SQLite through better-sqlite3, WAL, durable commits (see `SqliteStoreOptions`),
 * schema created or migrated on open. `path` is a file (its folder is created) or `:memory:`.
 */
export function createSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const Sqlite = sqliteDriver()
  const db = new Sqlite(path)
  configure(db, options)
  migrate(db)
  const audit = sqliteAudit(db)
  const outbox = sqliteOutbox(db)
  const account = sqliteAccount(db, audit, outbox)

  const q = {
    insertUser: db.prepare(
      `INSERT INTO users (id, username, username_key, password_hash, role, enabled, secret, created_at,
         email, email_key, email_verified)
       VALUES (@id, @username, @username_key, @password_hash, @role, @enabled, @secret, @created_at,
         @email, @email_key, @email_verified)`,
    ),
    userById: db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?'),
    userByName: db.prepare<[string], UserRow>('SELECT * FROM users WHERE username_key = ?'),
    userByEmail: db.prepare<[string], UserRow>('SELECT * FROM users WHERE email_key = ?'),
    users: db.prepare<[], UserRow>('SELECT * FROM users ORDER BY created_at, id'),
    otherAdmins: db.prepare<[string], { n: number }>(
      "SELECT count(*) AS n FROM users WHERE role = 'admin' AND enabled = 1 AND id != ?",
    ),
    insertSession: db.prepare(
      `INSERT INTO sessions (id, user_id, created_at, last_refresh_at, absolute_expires_at, transport,
         user_agent, refresh_current, auth_time)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    session: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?'),
    insertToken: db.prepare('INSERT INTO refresh_tokens (hash, session_id, issued_at) VALUES (?, ?, ?)'),
    deleteToken: db.prepare('DELETE FROM refresh_tokens WHERE hash = ?'),
    sessionOfToken: db.prepare<[string], SessionRow>(
      'SELECT s.* FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE t.hash = ?',
    ),
    writeFamily: db.prepare(
      `UPDATE sessions SET last_refresh_at = @last_refresh_at, ended_at = @ended_at, end_reason = @end_reason,
         refresh_current = @current, refresh_previous = @previous,
         refresh_previous_used_at = @previous_used_at, refresh_retried = @retried
       WHERE id = @id`,
    ),
    endSession: db.prepare(
      'UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL',
    ),
    setAuthTime: db.prepare<[number, string], SessionRow>(
      'UPDATE sessions SET auth_time = ? WHERE id = ? AND ended_at IS NULL RETURNING *',
    ),
    // Live: not ended, before the absolute end and the idle end (@now, @idle: the idle timeout in ms).
    liveSessions: db.prepare<[{ user_id: string; now: number; idle: number; limit: number }], SessionRow>(
      `SELECT * FROM sessions WHERE user_id = @user_id AND ended_at IS NULL
         AND absolute_expires_at > @now AND last_refresh_at + @idle > @now
       ORDER BY created_at DESC, id DESC LIMIT @limit`,
    ),
    endUserSession: db.prepare(
      `UPDATE sessions SET ended_at = @now, end_reason = @reason
       WHERE id = @id AND user_id = @user_id AND ended_at IS NULL
         AND absolute_expires_at > @now AND last_refresh_at + @idle > @now`,
    ),
    // The user's live sessions but @keep, least recently used first, beyond the newest @max - 1.
    leastRecentlyUsed: db.prepare<
      [{ user_id: string; keep: string; now: number; idle: number; max: number }],
      { id: string }
    >(
      `SELECT id FROM sessions WHERE user_id = @user_id AND id != @keep AND ended_at IS NULL
         AND absolute_expires_at > @now AND last_refresh_at + @idle > @now
       ORDER BY last_refresh_at DESC, created_at DESC, id DESC LIMIT -1 OFFSET @max - 1`,
    ),
    endAll: db.prepare('UPDATE sessions SET ended_at = ?, end_reason = ? WHERE ended_at IS NULL'),
    prune: db.prepare(PRUNE_SESSIONS),
    notes: db.prepare<[string], { id: string; user_id: string; text: string; created_at: number }>(
      'SELECT * FROM notes WHERE user_id = ? ORDER BY created_at, rowid',
    ),
    insertNote: db.prepare('INSERT INTO notes (id, user_id, text, created_at) VALUES (?, ?, ?, ?)'),
    getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    ),
    initMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING'),
  }

  /** Throws `LastAdminError` when the patch would leave no enabled admin; run inside the change's transaction. */
  const keepAnAdmin = (id: string, patch: UserPatch) => {
    const before = q.userById.get(id)
    if (before && losesAdmin(toUser(before), patch) && q.otherAdmins.get(id)!.n === 0)
      throw new LastAdminError()
  }
  const updateUser = db.transaction((id: string, patch: UserPatch, end?: EndSessions, o?: UpdateOptions) => {
    if (o?.keepAnAdmin) keepAnAdmin(id, patch)
    const row = account.patchUser(id, patch, end)
    if (row) audit.insert(o?.audit)
    if (row) outbox.insert(end?.now ?? Date.now(), [{ kind: 'user', id }])
    return row ? toUser(row) : null
  })
  const createSession = db.transaction(
    (s: SessionRecord, hash: string, cap?: SessionCap, events?: AuditFor<string[]>): string[] => {
      q.insertSession.run(
        s.id,
        s.userId,
        s.createdAt,
        s.lastRefreshAt,
        s.absoluteExpiresAt,
        s.transport,
        s.userAgent,
        hash,
        s.authTime,
      )
      q.insertToken.run(hash, s.id, s.createdAt)
      const over = cap
        ? q.leastRecentlyUsed
            .all({ user_id: s.userId, keep: s.id, now: cap.now, idle: cap.idleTimeoutMs, max: cap.max })
            .map((r) => r.id)
        : []
      for (const id of over) q.endSession.run(cap!.now, 'revoked', id)
      outbox.insert(
        cap?.now ?? 0,
        over.map((id) => ({ kind: 'session', id })),
      )
      audit.insert(events?.(over))
      return over
    },
  )
  // Judged and written in one transaction; IMMEDIATE takes the write lock first, so another process on
  // the same file cannot judge the same family from a stale read in between.
  const spendRefreshToken = db.transaction(
    (
      hash: string,
      next: string | null,
      now: number,
      policy: RefreshPolicy,
      family?: string | null,
      events?: AuditFor<SpentRefreshToken>,
    ): SpentRefreshToken | null => {
      const row = q.sessionOfToken.get(hash) ?? (family ? q.session.get(family) : undefined)
      if (!row) return null
      const plan = planRefresh(toSession(row), toFamily(row), hash, next, now, policy)
      if (plan.changed) {
        const { session: s, family: f } = plan
        q.writeFamily.run({
          id: s.id,
          last_refresh_at: s.lastRefreshAt,
          ended_at: s.endedAt,
          end_reason: s.endReason,
          current: f.current,
          previous: f.previous,
          previous_used_at: f.previousUsedAt,
          retried: f.retried ? 1 : 0,
        })
        if (f.current !== null && f.current !== row.refresh_current) q.insertToken.run(f.current, s.id, now)
        if (plan.dropped !== null) q.deleteToken.run(plan.dropped)
        if (row.ended_at === null && s.endedAt !== null) outbox.insert(now, [{ kind: 'session', id: s.id }])
      }
      audit.insert(events?.({ verdict: plan.verdict, session: plan.session }))
      return { verdict: plan.verdict, session: plan.session }
    },
  )
  const rotateGlobal = db.transaction((epoch: string, now: number, events?: AuditEvent[]) => {
    q.setMeta.run('global_epoch', epoch)
    q.endAll.run(now, 'revoked')
    audit.insert(events)
    outbox.insert(now, [{ kind: 'all' }])
  })
  // A session's end, its events and its invalidation (none when nothing ended); run inside the end's transaction.
  const ending = (ended: boolean, id: string, now: number, events?: AuditEvent[]) => {
    if (ended) audit.insert(events)
    if (ended) outbox.insert(now, [{ kind: 'session', id }])
    return ended
  }

  return {
    kind: 'sqlite',
    createUser: (u, events) =>
      guard(() => {
        db.transaction(() => {
          audit.insert(events)
          q.insertUser.run({
            id: u.id,
            username: u.username,
            username_key: u.username.toLowerCase(),
            password_hash: u.passwordHash,
            role: u.role,
            enabled: u.enabled ? 1 : 0,
            secret: u.secret,
            created_at: u.createdAt,
            email: u.email ?? null,
            email_key: u.email?.toLowerCase() ?? null,
            email_verified: u.emailVerified ? 1 : 0,
          })
        })()
        return { ...u, email: u.email ?? null, emailVerified: u.emailVerified ?? false }
      }),
    findUserById: (id) => guard(() => nullable(q.userById.get(id), toUser)),
    findUserByUsername: (name) => guard(() => nullable(q.userByName.get(name.toLowerCase()), toUser)),
    findUserByEmail: (email) => guard(() => nullable(q.userByEmail.get(email.toLowerCase()), toUser)),
    listUsers: () => guard(() => q.users.all().map(toUser)),
    // IMMEDIATE takes the write lock before the admin check reads: another process on the same file
    // cannot change the admins between the check and the write.
    updateUser: (id, patch, end, options) => guard(() => updateUser.immediate(id, patch, end, options)),
    // IMMEDIATE: concurrent sign-ins of one user (from other processes too) count the live ones in turn.
    createSession: (s, hash, cap, events) => guard(() => createSession.immediate(s, hash, cap, events)),
    findSession: (id) => guard(() => nullable(q.session.get(id), toSession)),
    findRefreshFamily: (hash) =>
      guard(() => {
        const row = q.sessionOfToken.get(hash)
        return row ? { session: toSession(row), family: toFamily(row) } : null
      }),
    spendRefreshToken: (hash, next, now, policy, family, events) =>
      guard(() => spendRefreshToken.immediate(hash, next, now, policy, family, events)),
    setAuthTime: (id, at, events) =>
      guard(() =>
        db.transaction(() => {
          const row = q.setAuthTime.get(at, id)
          if (row) audit.insert(events)
          return nullable(row, toSession)
        })(),
      ),
    endSession: (id, reason, now, events) =>
      guard(() =>
        db.transaction(() => ending(q.endSession.run(now, reason, id).changes > 0, id, now, events))(),
      ),
    listSessions: (userId, { now, idleTimeoutMs, limit }) =>
      guard(() => q.liveSessions.all({ user_id: userId, now, idle: idleTimeoutMs, limit }).map(toSession)),
    endUserSession: (userId, id, reason, { now, idleTimeoutMs }: Liveness, events) =>
      guard(() =>
        db.transaction(() => {
          const values = { id, user_id: userId, reason, now, idle: idleTimeoutMs }
          return ending(q.endUserSession.run(values).changes > 0, id, now, events)
        })(),
      ),
    issueAccountToken: (token, events) => guard(() => account.issue(token, events)),
    findAccountToken: (hash, purpose, now) => guard(() => account.find(hash, purpose, now)),
    spendAccountToken: (hash, purpose, now, effect) => guard(() => account.spend(hash, purpose, now, effect)),
    rotateGlobalEpoch: (epoch, now, events) => guard(() => rotateGlobal(epoch, now, events)),
    prune: (before, limit = -1) => guard(() => q.prune.run(before, before, limit).changes),
    pruneEvents: (before, limit = -1) => guard(() => audit.prune(before, limit)),
    outboxSeq: () => guard(() => outbox.seq()),
    outboxAfter: (after, limit) => guard(() => outbox.after(after, limit)),
    pruneOutbox: (before, limit = -1) => guard(() => outbox.prune(before, limit)),
    recordEvents: (events) => guard(() => audit.record(events)),
    listEvents: (query) => guard(() => audit.list(query)),
    listNotes: (userId) =>
      guard(() =>
        q.notes
          .all(userId)
          .map((r): NoteRecord => ({ id: r.id, userId: r.user_id, text: r.text, createdAt: r.created_at })),
      ),
    addNote: (n) =>
      guard(() => {
        q.insertNote.run(n.id, n.userId, n.text, n.createdAt)
        return { ...n }
      }),
    getMeta: (key) => guard(() => q.getMeta.get(key)?.value ?? null),
    initMeta: (key, value) =>
      guard(() => {
        q.initMeta.run(key, value)
        return q.getMeta.get(key)!.value
      }),
    ping: () => guard(() => void db.prepare('SELECT 1').get()),
    close: async () => {
      if (db.open) db.close()
    },
  }
}
