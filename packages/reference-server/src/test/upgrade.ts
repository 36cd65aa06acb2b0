import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { createPostgresStore } from '../node/store/postgres.js'
import { createSqliteStore } from '../node/store/sqlite.js'
import type { Store } from '../store/types.js'
import { databaseUrl, dropSchema, freshSchema, skipWithout } from './services.js'

/**
 * A migration tested on a database an older server left, on SQLite and (given a database) PostgreSQL: the
 * data is written through today's store (`seed`), the schema turned back to `version` by `downgrade` (SQL
 * run as is, leaving it as that server would have), and the store reopened, which must migrate it back to
 * today's version; then `check` looks at what came out.
 */
export function describeUpgradeFrom(
  version: number,
  title: string,
  steps: { seed(store: Store): Promise<void>; downgrade: string[]; check(store: Store): Promise<void> },
): void {
  describe(`${title}: upgrading a version-${version} database`, () => {
    const dir = mkdtempSync(join(tmpdir(), `leash-upgrade-${version}-`))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    it('SQLite', async () => {
      const file = join(dir, 'old.db')
      const before = createSqliteStore(file)
      await steps.seed(before)
      await before.close()
      const db = new Database(file)
      const today = db.pragma('user_version', { simple: true })
      for (const sql of steps.downgrade) db.exec(sql)
      db.pragma(`user_version = ${version}`)
      db.close()
      const store = createSqliteStore(file)
      try {
        await steps.check(store)
      } finally {
        await store.close()
      }
      const after = new Database(file)
      expect(after.pragma('user_version', { simple: true })).toBe(today)
      after.close()
    })

    const skip = skipWithout(['database'], `PostgreSQL upgrade from version ${version}`)
    it.skipIf(skip)('PostgreSQL', async () => {
      const schema = freshSchema()
      const client = () =>
        new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` })
      const latest = async (c: pg.Client) =>
        (await c.query<{ v: number }>('SELECT max(version) AS v FROM leash_migrations')).rows[0]!.v
      try {
        const before = createPostgresStore({ url: databaseUrl!, schema, max: 1 })
        await steps.seed(before)
        await before.close()
        const old = client()
        await old.connect()
        const today = await latest(old)
        for (const sql of steps.downgrade) await old.query(sql)
        await old.query('DELETE FROM leash_migrations WHERE version > $1', [version])
        await old.end()
        const store = createPostgresStore({ url: databaseUrl!, schema, max: 2 })
        try {
          await steps.check(store)
        } finally {
          await store.close()
        }
        const after = client()
        await after.connect()
        expect(await latest(after)).toBe(today)
        await after.end()
      } finally {
        await dropSchema(schema)
      }
    })
  })
}

/**
 * Turns every migration after version 4 back, newest first, on SQLite and PostgreSQL alike (the two number
 * them differently; the statements are the same): a test that starts from version 4 or earlier runs these
 * first. A new migration adds its undo at the top.
 */
export const UNDO_AFTER_4 = [
  // the sign-in time of step-up (SQLite 8, PostgreSQL 9)
  'ALTER TABLE sessions DROP COLUMN auth_time',
  // the pruning indexes (SQLite 7, PostgreSQL 8)
  'DROP INDEX sessions_ended',
  'DROP INDEX sessions_absolute',
  // the email and the account tokens (SQLite 6, PostgreSQL 7)
  'DROP TABLE account_tokens',
  'DROP INDEX users_email_key',
  'ALTER TABLE users DROP COLUMN email_verified',
  'ALTER TABLE users DROP COLUMN email_key',
  'ALTER TABLE users DROP COLUMN email',
  // the outbox (SQLite 5, PostgreSQL 6)
  'DROP TABLE outbox',
  // the keyring (PostgreSQL 5 only)
  'DROP TABLE IF EXISTS signing_keys',
]
