import type Database from 'better-sqlite3'
import type { AuditEvent, AuditQuery } from '../../store/types.js'
import { AUDIT_COLUMNS, type AuditRow, auditPage, auditValues, toAuditEvent } from './audit-sql.js'

/**
 * The SQLite store's audit statements. `insert` runs inside the caller's transaction (better-sqlite3's are
 * synchronous), so a change and its events commit together.
 */
export function sqliteAudit(db: Database.Database) {
  const insert = db.prepare(
    `INSERT INTO audit_events (${AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  // oldest first, `limit` at a time (-1: all), so a prune never holds the writer long
  const prune = db.prepare(
    'DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE time < ? ORDER BY time LIMIT ?)',
  )
  const insertAll = (events: readonly AuditEvent[] | undefined) => {
    for (const e of events ?? []) insert.run(...auditValues(e))
  }
  const record = db.transaction(insertAll)
  return {
    insert: insertAll,
    /** A batch of its own, in one transaction. */
    record: (events: readonly AuditEvent[]): void => record(events),
    list(query: AuditQuery): AuditEvent[] {
      const { text, values } = auditPage(query, () => '?', '')
      return db
        .prepare<unknown[], AuditRow>(text)
        .all(...values)
        .map(toAuditEvent)
    },
    prune: (before: number, limit: number) => prune.run(before, limit).changes,
  }
}
