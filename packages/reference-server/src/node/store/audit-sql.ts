import type { AuditEvent, AuditEventType, ErrorCode } from '@leash/protocol'
import type { AuditQuery } from '../../store/types.js'

// The audit table as both SQL stores keep it: the same columns, the same page query.

/** The table and its indexes (newest first overall, and per user); SQL both dialects read alike. */
export const AUDIT_TABLE = (time: string) => `CREATE TABLE audit_events (
     id TEXT PRIMARY KEY,
     time ${time} NOT NULL,
     type TEXT NOT NULL,
     version INTEGER NOT NULL,
     user_id TEXT,
     actor TEXT,
     session_id TEXT,
     address TEXT,
     user_agent TEXT,
     code TEXT
   );
   CREATE INDEX audit_events_time ON audit_events(time, id);
   CREATE INDEX audit_events_user ON audit_events(user_id, time, id);`

export interface AuditRow {
  id: string
  time: number | string
  type: string
  version: number
  user_id: string | null
  actor: string | null
  session_id: string | null
  address: string | null
  user_agent: string | null
  code: string | null
}

export const AUDIT_COLUMNS = 'id, time, type, version, user_id, actor, session_id, address, user_agent, code'

/** An event's values, in `AUDIT_COLUMNS`' order. */
export const auditValues = (e: AuditEvent) => [
  e.id,
  e.time,
  e.type,
  e.version,
  e.user,
  e.actor,
  e.session,
  e.address,
  e.user_agent,
  e.code,
]

export const toAuditEvent = (r: AuditRow): AuditEvent => ({
  id: r.id,
  time: Number(r.time),
  type: r.type as AuditEventType,
  version: r.version,
  user: r.user_id,
  actor: r.actor,
  session: r.session_id,
  address: r.address,
  user_agent: r.user_agent,
  code: r.code as ErrorCode | null,
})

/**
 * A page's query, newest first by (time, id), with `param(n)` naming the n-th value (`?` or `$n`) and
 * `byte` the collation that orders ids by their bytes.
 */
export function auditPage(query: AuditQuery, param: (n: number) => string, byte: string) {
  const where: string[] = []
  const values: unknown[] = []
  const add = (value: unknown) => {
    values.push(value)
    return param(values.length)
  }
  if (query.user !== undefined) where.push(`user_id = ${add(query.user)}`)
  if (query.type !== undefined) where.push(`type = ${add(query.type)}`)
  if (query.before !== undefined) {
    const { time, id } = query.before
    if (id === null) where.push(`time < ${add(time)}`)
    else where.push(`(time < ${add(time)} OR (time = ${add(time)} AND id${byte} < ${add(id)}))`)
  }
  const text = `SELECT ${AUDIT_COLUMNS} FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY time DESC, id${byte} DESC LIMIT ${add(query.limit)}`
  return { text, values }
}
