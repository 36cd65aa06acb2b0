import type { RefreshFamily, Role, SessionEndReason, SessionRecord, UserRecord } from '../../store/types.js'
import { postgresDriver } from '../drivers.js'

// Rows as node-postgres returns them, and the store's records made from them.

export type Row = Record<string, unknown>

export const toUser = (r: Row): UserRecord => ({
  id: r.id as string,
  username: r.username as string,
  passwordHash: r.password_hash as string,
  role: r.role as Role,
  enabled: r.enabled as boolean,
  secret: r.secret as string,
  createdAt: r.created_at as number,
  email: (r.email as string | null) ?? null,
  emailVerified: r.email_verified === true,
})
export const toSession = (r: Row): SessionRecord => ({
  id: r.id as string,
  userId: r.user_id as string,
  createdAt: r.created_at as number,
  lastRefreshAt: r.last_refresh_at as number,
  absoluteExpiresAt: r.absolute_expires_at as number,
  // null in a row an older server wrote during a rolling upgrade: its sign-in is its creation
  authTime: (r.auth_time as number | null) ?? (r.created_at as number),
  transport: r.transport === 'body' ? 'body' : 'cookie',
  userAgent: (r.user_agent as string | null) ?? null,
  endedAt: r.ended_at as number | null,
  endReason: r.end_reason as SessionEndReason | null,
})
export const toFamily = (r: Row): RefreshFamily => ({
  current: r.refresh_current as string | null,
  previous: r.refresh_previous as string | null,
  previousUsedAt: r.refresh_previous_used_at as number | null,
  retried: r.refresh_retried as boolean,
})

// BIGINT (oid 20) and COUNT come back as strings by default; epoch milliseconds fit a double exactly.
export const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20
      ? (v: string) => Number(v)
      : postgresDriver().types.getTypeParser(oid, format as 'text')) as never,
}
