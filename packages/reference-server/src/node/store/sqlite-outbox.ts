import type Database from 'better-sqlite3'
import type { Invalidation } from '../../bus/types.js'
import type { OutboxEntry } from '../../store/types.js'
import { type OutboxRow, outboxValues, toOutboxEntry } from './outbox-sql.js'

/** The SQLite store's outbox statements. `insert` runs inside the caller's transaction, as the audit's does. */
export function sqliteOutbox(db: Database.Database) {
  const insert = db.prepare('INSERT INTO outbox (time, kind, target) VALUES (?, ?, ?)')
  const after = db.prepare<[number, number], OutboxRow>(
    'SELECT seq, time, kind, target FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?',
  )
  const last = db.prepare<[], { seq: number }>('SELECT coalesce(max(seq), 0) AS seq FROM outbox')
  // oldest first, `limit` at a time (-1: all)
  const prune = db.prepare(
    'DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE time < ? ORDER BY seq LIMIT ?)',
  )
  return {
    insert(time: number, messages: readonly Invalidation[]): void {
      for (const m of messages) insert.run(time, ...outboxValues(m))
    },
    seq: (): number => last.get()!.seq,
    after: (seq: number, limit: number): OutboxEntry[] => after.all(seq, limit).map(toOutboxEntry),
    prune: (before: number, limit: number): number => prune.run(before, limit).changes,
  }
}
