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

// Migration 3 adds the User-Agent a session was signed in with. A database written by a server before it
// keeps every session, each listed with no user agent, and sessions made after it keep theirs.

const live = { now: 2000, idleTimeoutMs: 600_000, limit: 10 }
const session = (id: string, userAgent: string | null): SessionRecord => ({
  id,
  userId: 'u1',
  createdAt: id === 'old' ? 1000 : 1500,
  lastRefreshAt: 1000,
  absoluteExpiresAt: 10_000_000,
  transport: 'body',
  userAgent,
  endedAt: null,
  endReason: null,
})

async function seedOld(store: Store) {
  await store.createUser({
    id: 'u1',
    username: 'alice',
    passwordHash: 'h',
    role: 'user',
    enabled: true,
    secret: 's',
    createdAt: 1,
  })
  await store.createSession(session('old', null), 'old-token')
}

async function expectMigrated(store: Store) {
  await store.createSession(session('new', 'Phone/1'), 'new-token')
  expect(await store.listSessions('u1', live)).toEqual([session('new', 'Phone/1'), session('old', null)])
  expect(
    await store.spendRefreshToken('old-token', 'next', 2000, { reuseIntervalMs: 0, idleTimeoutMs: 600_000 }),
  ).toMatchObject({ verdict: 'rotate' })
}

describe('migration 3 (user agent) on a version-2 database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leash-migrate-3-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('SQLite: old sessions are kept, with no user agent', async () => {
    const file = join(dir, 'v2.db')
    const before = createSqliteStore(file)
    await seedOld(before)
    await before.close()
    const db = new Database(file)
    db.exec('ALTER TABLE sessions DROP COLUMN user_agent')
    db.pragma('user_version = 2')
    db.close()
    const store = createSqliteStore(file)
    try {
      await expectMigrated(store)
    } finally {
      await store.close()
    }
    const after = new Database(file)
    expect(after.pragma('user_version', { simple: true })).toBe(3)
    after.close()
  })

  const skip = skipWithout(['database'], 'PostgreSQL migration 3')
  it.skipIf(skip)('PostgreSQL: the same', async () => {
    const schema = freshSchema()
    try {
      const before = createPostgresStore({ url: databaseUrl!, schema, max: 1 })
      await seedOld(before)
      await before.close()
      const client = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` })
      await client.connect()
      await client.query('ALTER TABLE sessions DROP COLUMN user_agent')
      await client.query('DELETE FROM leash_migrations WHERE version = 3')
      await client.end()
      const store = createPostgresStore({ url: databaseUrl!, schema, max: 2 })
      try {
        await expectMigrated(store)
      } finally {
        await store.close()
      }
    } finally {
      await dropSchema(schema)
    }
  })
})
