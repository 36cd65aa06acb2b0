import { describe, expect, it } from 'vitest'
import { sqliteDriver } from '../drivers.js'
import { configure, migrate, PRUNE_SESSIONS } from './sqlite-schema.js'

// Pruning runs on the event loop (better-sqlite3 is synchronous): each batch must find its rows by index.
// Without one, every batch scanned the whole table (31 ms median, 82 ms at worst, for a million sessions),
// and the last batch of every prune, which finds fewer rows than its limit, always scanned it all.

describe('the SQLite prune', () => {
  it('finds ended and expired sessions through their indexes, never by scanning the table', () => {
    const Sqlite = sqliteDriver()
    const db = new Sqlite(':memory:')
    configure(db, {})
    migrate(db)
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN ${PRUNE_SESSIONS}`)
      .all(1, 1, 500)
      .map((row) => (row as { detail: string }).detail)
      .join('\n')
    expect(plan).toContain('sessions_ended')
    expect(plan).toContain('sessions_absolute')
    expect(plan).not.toMatch(/SCAN sessions(?! USING)/)
    db.close()
  })
})
