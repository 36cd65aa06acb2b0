import { ConflictError, StoreUnavailableError } from '../../errors.js'
import type { RefreshFamily, Role, SessionEndReason, SessionRecord, UserRecord } from '../../store/types.js'

// Rows as better-sqlite3 returns them, the store's records made from them, and its error mapping.

export interface UserRow {
  id: string
  username: string
  password_hash: string
  role: string
  enabled: number
  secret: string
  created_at: number
  email: string | null
  email_verified: number
}
export interface SessionRow {
  id: string
  user_id: string
  created_at: number
  last_refresh_at: number
  absolute_expires_at: number
  auth_time: number | null
  transport: string
  user_agent: string | null
  ended_at: number | null
  end_reason: string | null
  refresh_current: string | null
  refresh_previous: string | null
  refresh_previous_used_at: number | null
  refresh_retried: number
}

export const toUser = (r: UserRow): UserRecord => ({
  id: r.id,
  username: r.username,
  passwordHash: r.password_hash,
  role: r.role as Role,
  enabled: r.enabled === 1,
  secret: r.secret,
  createdAt: r.created_at,
  email: r.email,
  emailVerified: r.email_verified === 1,
})
export const toSession = (r: SessionRow): SessionRecord => ({
  id: r.id,
  userId: r.user_id,
  createdAt: r.created_at,
  lastRefreshAt: r.last_refresh_at,
  absoluteExpiresAt: r.absolute_expires_at,
  // null in a row an older server wrote after the migration ran: its sign-in is its creation
  authTime: r.auth_time ?? r.created_at,
  transport: r.transport === 'body' ? 'body' : 'cookie',
  userAgent: r.user_agent,
  endedAt: r.ended_at,
  endReason: r.end_reason as SessionEndReason | null,
})
export const toFamily = (r: SessionRow): RefreshFamily => ({
  current: r.refresh_current,
  previous: r.refresh_previous,
  previousUsedAt: r.refresh_previous_used_at,
  retried: r.refresh_retried === 1,
})

/** Maps driver errors onto the store's: a taken username, or a database that cannot be used right now. */
export function guard<T>(run: () => T): Promise<T> {
  try {
    return Promise.resolve(run())
  } catch (error) {
    const code = (error as { code?: string }).code ?? ''
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      return Promise.reject(new ConflictError(conflictOf((error as Error).message)))
    }
    if (/^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|READONLY|CORRUPT|NOTADB)/.test(code)) {
      return Promise.reject(new StoreUnavailableError(error))
    }
    return Promise.reject(error)
  }
}

/** Which value was taken, from SQLite's `UNIQUE constraint failed: table.column` message. */
function conflictOf(message: string): ConflictError['what'] {
  if (message.includes('users.email_key')) return 'email'
  if (message.includes('audit_events.')) return 'audit event'
  return 'username'
}

export function nullable<R, T>(row: R | undefined, map: (r: R) => T): T | null {
  return row === undefined ? null : map(row)
}
