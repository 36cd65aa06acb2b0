import { ConflictError, StoreUnavailableError, UnstorableTextError } from '../../errors.js'
import type { EndSessions, UserPatch, UserRecord } from '../../store/types.js'

// The PostgreSQL store's statements that are more than a line, and its error mapping.

/** The session a refresh token belongs to, with its family's columns. */
export const SESSION_OF_TOKEN =
  'SELECT * FROM sessions WHERE id = (SELECT session_id FROM refresh_tokens WHERE hash = $1)'

/**
 * Maps driver errors onto the store's. A unique violation is a taken username; text the database cannot
 * hold (NUL, or a character outside its encoding) is bad input; any other SQL error of the data,
 * integrity or syntax classes is a bug and propagates as is; everything else (refused or dropped
 * connections, timeouts, an admin shutdown, too many clients, a failover) means "cannot be used now".
 */
export function mapPgError(error: unknown): Error {
  const code = (error as { code?: unknown }).code
  if (code === '23505') return new ConflictError(conflictOf((error as { constraint?: string }).constraint))
  if (code === '22021' || code === '22P05') return new UnstorableTextError(error)
  if (typeof code === 'string' && /^(22|23|2[BDF]|3[DF]|42)/.test(code)) return error as Error
  return new StoreUnavailableError(error)
}

/** Which value a unique violation found taken, by the constraint's name. */
function conflictOf(constraint: string | undefined): ConflictError['what'] {
  if (constraint === 'users_email_key') return 'email'
  if (constraint?.startsWith('audit_events')) return 'audit event'
  return 'username'
}

/** Creates a user ($1–$11), in one statement. */
export const INSERT_USER = `INSERT INTO users (id, username, username_key, password_hash, role, enabled,
    secret, created_at, email, email_key, email_verified)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`

/** `INSERT_USER`'s values. */
export const userValues = (u: UserRecord) => [
  ...[u.id, u.username, u.username.toLowerCase(), u.passwordHash, u.role, u.enabled, u.secret],
  ...[u.createdAt, u.email ?? null, u.email?.toLowerCase() ?? null, u.emailVerified ?? false],
]

/** A live session at $2 (epoch ms), with the idle timeout $3 (ms): not ended, before both its ends. */
export const LIVE = 'ended_at IS NULL AND absolute_expires_at > $2 AND last_refresh_at + $3 > $2'

/**
 * Applies a patch ($2–$5, $9; null: unchanged) and, when $8, ends the user's live sessions, with the
 * user's invalidation in the outbox (at $10), in one statement; a new password ($5) spends the user's
 * reset tokens in it too.
 */
export const UPDATE_USER = `WITH u AS (
    UPDATE users SET role = COALESCE($2::text, role), enabled = COALESCE($3::boolean, enabled),
      secret = COALESCE($4::text, secret), password_hash = COALESCE($5::text, password_hash),
      email_verified = COALESCE($9::boolean, email_verified)
    WHERE id = $1 RETURNING *
  ), e AS (
    UPDATE sessions SET ended_at = $6::bigint, end_reason = $7::text
    WHERE $8::boolean AND ended_at IS NULL AND user_id IN (SELECT id FROM u)
  ), o AS (
    INSERT INTO outbox (time, kind, target) SELECT $10::bigint, 'user', id FROM u
  ), t AS (
    DELETE FROM account_tokens
    WHERE $5::text IS NOT NULL AND purpose = 'reset_password' AND user_id IN (SELECT id FROM u)
  )
  SELECT * FROM u`

/** `UPDATE_USER`'s values. */
export const patchValues = (id: string, patch: UserPatch, end?: EndSessions) => [
  ...[id, patch.role ?? null, patch.enabled ?? null, patch.secret ?? null, patch.passwordHash ?? null],
  ...[end?.now ?? null, end?.reason ?? null, end !== undefined, patch.emailVerified ?? null],
  end?.now ?? Date.now(),
]

/**
 * A token ($1) of purpose $2 live at $3: before its end, and its user's email still the address it was
 * mailed to. As a DELETE … RETURNING, the spend itself: a concurrent spend of the same token waits for
 * the row, then finds it gone.
 */
const LIVE_TOKEN = `hash = $1 AND purpose = $2 AND expires_at > $3
  AND EXISTS (SELECT 1 FROM users u WHERE u.id = account_tokens.user_id AND u.email_key = account_tokens.email)`
export const FIND_ACCOUNT_TOKEN = `SELECT * FROM account_tokens WHERE ${LIVE_TOKEN}`
export const SPEND_ACCOUNT_TOKEN = `DELETE FROM account_tokens WHERE ${LIVE_TOKEN} RETURNING user_id`

/** Creates a session ($1–$6, $8, $9) with its first refresh token ($7), in one statement. */
export const INSERT_SESSION = `WITH s AS (
    INSERT INTO sessions (id, user_id, created_at, last_refresh_at, absolute_expires_at, transport,
      refresh_current, user_agent, auth_time)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id
  )
  INSERT INTO refresh_tokens (hash, session_id, issued_at) SELECT $7, id, $3 FROM s`

/**
 * Ends ('revoked', at $2) the live sessions of user $1 but $4 beyond the $5 - 1 most recently used:
 * the least recently used go (idle clock, then sign-in, then id), each with its invalidation in the
 * outbox. Returns their ids.
 */
export const END_LEAST_RECENTLY_USED = `WITH e AS (
    UPDATE sessions SET ended_at = $2, end_reason = 'revoked'
    WHERE id IN (
      SELECT id FROM sessions WHERE user_id = $1 AND id <> $4 AND ${LIVE}
      ORDER BY last_refresh_at DESC, created_at DESC, id COLLATE "C" DESC OFFSET $5::int - 1
    )
    RETURNING id
  ), o AS (
    INSERT INTO outbox (time, kind, target) SELECT $2, 'session', id FROM e
  )
  SELECT id FROM e`

/**
 * Runs `update`, an UPDATE of sessions, with an invalidation in the outbox for each session it ended
 * (at `time`, a parameter): the row count is how many sessions ended.
 */
export const endingSessions = (update: string, time: string) => `WITH e AS (${update} RETURNING id)
  INSERT INTO outbox (time, kind, target) SELECT ${time}, 'session', id FROM e`

/** Ends session $3 ($1 the time, $2 the reason) if it has not ended, with its invalidation. */
export const END_SESSION = endingSessions(
  'UPDATE sessions SET ended_at = $1, end_reason = $2 WHERE id = $3 AND ended_at IS NULL',
  '$1',
)

/** Sets the global epoch ($1) and ends every live session at $2, with the invalidation of everything. */
export const ROTATE_GLOBAL_EPOCH = `WITH m AS (
    INSERT INTO meta (key, value) VALUES ('global_epoch', $1)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value
  ), o AS (
    INSERT INTO outbox (time, kind, target) VALUES ($2, 'all', NULL)
  )
  UPDATE sessions SET ended_at = $2, end_reason = 'revoked' WHERE ended_at IS NULL`

/** One invalidation ($2 kind, $3 target) in the outbox at $1. */
export const INSERT_OUTBOX = 'INSERT INTO outbox (time, kind, target) VALUES ($1, $2, $3)'

/**
 * The family a presented token ($1) belongs to, its session row locked; a hash the store has forgotten is
 * looked for in the family the caller knows it to be of ($2, or null).
 */
export const FAMILY_FOR_UPDATE = `SELECT * FROM sessions
  WHERE id = COALESCE((SELECT session_id FROM refresh_tokens WHERE hash = $1), $2::text) FOR UPDATE`

/**
 * Writes a presentation's plan, in one statement: the session's clock, end and family ($1–$8), the newly
 * issued token ($9, or null) and the one that left the family's window ($10, or null: forgotten).
 */
export const WRITE_FAMILY = `WITH s AS (
    UPDATE sessions SET last_refresh_at = $2, ended_at = $3, end_reason = $4, refresh_current = $5,
      refresh_previous = $6, refresh_previous_used_at = $7, refresh_retried = $8
    WHERE id = $1 RETURNING id
  ), d AS (
    DELETE FROM refresh_tokens WHERE hash = $10::text
  )
  INSERT INTO refresh_tokens (hash, session_id, issued_at)
  SELECT $9::text, id, $2 FROM s WHERE $9::text IS NOT NULL`

/** Deletes at most $2 (null: all) sessions that ended or expired before $1. */
export const PRUNE_SESSIONS = `DELETE FROM sessions WHERE id IN (SELECT id FROM sessions
  WHERE (ended_at IS NOT NULL AND ended_at < $1) OR (ended_at IS NULL AND absolute_expires_at < $1) LIMIT $2)`

/** Deletes at most $2 (null: all) audit events older than $1, oldest first. */
export const PRUNE_EVENTS =
  'DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE time < $1 ORDER BY time LIMIT $2)'
