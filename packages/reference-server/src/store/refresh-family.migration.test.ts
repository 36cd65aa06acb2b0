import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { databaseUrl, dropSchema, freshSchema, skipWithout } from '../test/services.js'
import { createPostgresStore } from './postgres.js'
import { createSqliteStore } from './sqlite.js'
import type { SessionRecord, Store } from './types.js'

// Migration 2 moves a family's state onto the session row. A database written by the old server (whose
// forked families could hold two unused tokens) must come out with one live token per live session: the
// newest unused one.

const policy = { reuseIntervalMs: 10_000, idleTimeoutMs: 600_000 }
const session = (id: string, userId: string): SessionRecord => ({
  id,
  userId,
  createdAt: 1000,
  lastRefreshAt: 1000,
  absoluteExpiresAt: 10_000_000,
  transport: 'body',
  userAgent: null,
  endedAt: null,
  endReason: null,
})

/** A user and a live session whose first token is `first` (written by the new schema, then turned back). */
async function seedSession(store: Store) {
  await store.createUser({
    id: 'u1',
    username: 'alice',
    passwordHash: 'h',
    role: 'user',
    enabled: true,
    secret: 's',
    createdAt: 1,
  })
  await store.createSession(session('s1', 'u1'), 'first')
}

/**
 * Turns the schema back into version 1 as the old server left it after a fork: `first` used twice, and two
 * unused children, `old` (t=2000) and `new` (t=3000).
 */
const TO_VERSION_1 = [
  `UPDATE refresh_tokens SET use_count = 2, used_at = 1500 WHERE hash = 'first'`,
  `INSERT INTO refresh_tokens (hash, session_id, issued_at) VALUES ('old', 's1', 2000), ('new', 's1', 3000)`,
  'ALTER TABLE sessions DROP COLUMN refresh_current',
  'ALTER TABLE sessions DROP COLUMN refresh_previous',
  'ALTER TABLE sessions DROP COLUMN refresh_previous_used_at',
  'ALTER TABLE sessions DROP COLUMN refresh_retried',
  'ALTER TABLE sessions DROP COLUMN user_agent', // migration 3's
]

async function expectOneLiveToken(store: Store) {
  expect((await store.findRefreshFamily('new'))?.family.current).toBe('new')
  expect(await store.spendRefreshToken('new', 'next', 4000, policy)).toMatchObject({ verdict: 'rotate' })
  // The other half of the old fork is not live: presenting it is reuse.
  expect(await store.spendRefreshToken('old', 'x', 4001, policy)).toMatchObject({ verdict: 'reused' })
}

describe('migration 2 (one live refresh token) on an old database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leash-migrate-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('SQLite: each live session keeps its newest unused token, the rest of a fork is reuse', async () => {
    const file = join(dir, 'old.db')
    const before = createSqliteStore(file)
    await seedSession(before)
    await before.close()
    const db = new Database(file)
    for (const sql of TO_VERSION_1) db.exec(sql)
    db.pragma('user_version = 1')
    db.close()
    const store = createSqliteStore(file)
    try {
      await expectOneLiveToken(store)
    } finally {
      await store.close()
    }
  })

  const skip = skipWithout(['database'], 'PostgreSQL migration 2')
  it.skipIf(skip)('PostgreSQL: the same', async () => {
    const schema = freshSchema()
    try {
      const before = createPostgresStore({ url: databaseUrl!, schema, max: 1 })
      await seedSession(before)
      await before.close()
      const client = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` })
      await client.connect()
      for (const sql of TO_VERSION_1) await client.query(sql)
      await client.query('DELETE FROM leash_migrations WHERE version >= 2')
      await client.end()
      const store = createPostgresStore({ url: databaseUrl!, schema, max: 2 })
      try {
        await expectOneLiveToken(store)
      } finally {
        await store.close()
      }
    } finally {
      await dropSchema(schema)
    }
  })
})
