import type Database from 'better-sqlite3'
import type {
  AccountTokenEffect,
  AccountTokenPurpose,
  AccountTokenRecord,
  AuditEvent,
  EndSessions,
  UserPatch,
} from '../../store/types.js'
import type { sqliteAudit } from './sqlite-audit.js'
import type { sqliteOutbox } from './sqlite-outbox.js'
import { toUser, type UserRow } from './sqlite-rows.js'

interface TokenRow {
  hash: string
  user_id: string
  purpose: string
  email: string
  created_at: number
  expires_at: number
}

const toToken = (r: TokenRow): AccountTokenRecord => ({
  hash: r.hash,
  userId: r.user_id,
  purpose: r.purpose as AccountTokenPurpose,
  email: r.email,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
})

// A token is live while it is before its end and its user's email is still the address it was mailed to.
const LIVE = `hash = @hash AND purpose = @purpose AND expires_at > @now
  AND EXISTS (SELECT 1 FROM users u WHERE u.id = account_tokens.user_id AND u.email_key = account_tokens.email)`

/**
 * The SQLite store's writes of a user (a patch, with the sessions it ends and the reset tokens a new
 * password spends) and its single-use account tokens. Each write runs inside the caller's transaction,
 * or in one of its own.
 */
export function sqliteAccount(
  db: Database.Database,
  audit: ReturnType<typeof sqliteAudit>,
  outbox: ReturnType<typeof sqliteOutbox>,
) {
  const q = {
    userById: db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?'),
    endUserSessions: db.prepare(
      'UPDATE sessions SET ended_at = ?, end_reason = ? WHERE user_id = ? AND ended_at IS NULL',
    ),
    dropTokens: db.prepare('DELETE FROM account_tokens WHERE user_id = ? AND purpose = ?'),
    insertToken: db.prepare(
      `INSERT INTO account_tokens (hash, user_id, purpose, email, created_at, expires_at)
       VALUES (@hash, @user_id, @purpose, @email, @created_at, @expires_at)`,
    ),
    liveToken: db.prepare<[{ hash: string; purpose: string; now: number }], TokenRow>(
      `SELECT * FROM account_tokens WHERE ${LIVE}`,
    ),
    // The spend itself: one conditional DELETE, so two spends cannot both take the token.
    spendToken: db.prepare<[{ hash: string; purpose: string; now: number }], { user_id: string }>(
      `DELETE FROM account_tokens WHERE ${LIVE} RETURNING user_id`,
    ),
  }

  /** Applies the patch (and ends the sessions) inside the caller's transaction; the user after, or undefined. */
  const patchUser = (id: string, patch: UserPatch, end?: EndSessions) => {
    const columns: Record<string, unknown> = {
      role: patch.role,
      enabled: patch.enabled === undefined ? undefined : patch.enabled ? 1 : 0,
      secret: patch.secret,
      password_hash: patch.passwordHash,
      email_verified: patch.emailVerified === undefined ? undefined : patch.emailVerified ? 1 : 0,
    }
    const values: Record<string, unknown> = { id }
    const sets: string[] = []
    for (const [column, value] of Object.entries(columns)) {
      if (value === undefined) continue
      sets.push(`${column} = @${column}`)
      values[column] = value
    }
    if (sets.length > 0) db.prepare(`UPDATE users SET ${sets.join(', ')} WHERE id = @id`).run(values)
    const row = q.userById.get(id)
    if (row && end) q.endUserSessions.run(end.now, end.reason, id)
    // A new password spends the links that would have set one.
    if (row && patch.passwordHash !== undefined) q.dropTokens.run(id, 'reset_password')
    return row
  }

  const issue = db.transaction((t: AccountTokenRecord, events?: AuditEvent[]) => {
    q.dropTokens.run(t.userId, t.purpose)
    q.insertToken.run({
      hash: t.hash,
      user_id: t.userId,
      purpose: t.purpose,
      email: t.email,
      created_at: t.createdAt,
      expires_at: t.expiresAt,
    })
    audit.insert(events)
  })

  const spend = db.transaction(
    (hash: string, purpose: AccountTokenPurpose, now: number, effect: AccountTokenEffect) => {
      const taken = q.spendToken.get({ hash, purpose, now })
      if (!taken) return null
      const row = patchUser(taken.user_id, effect.patch, effect.end)
      if (!row) return null
      const user = toUser(row)
      audit.insert(effect.audit?.(user))
      outbox.insert(now, [{ kind: 'user', id: user.id }])
      return user
    },
  )

  return {
    patchUser,
    // IMMEDIATE: the write lock first, so another process on the same file waits rather than races.
    issue: (t: AccountTokenRecord, events?: AuditEvent[]) => issue.immediate(t, events),
    find: (hash: string, purpose: AccountTokenPurpose, now: number) => {
      const row = q.liveToken.get({ hash, purpose, now })
      return row ? toToken(row) : null
    },
    spend: (hash: string, purpose: AccountTokenPurpose, now: number, effect: AccountTokenEffect) =>
      spend.immediate(hash, purpose, now, effect),
  }
}
