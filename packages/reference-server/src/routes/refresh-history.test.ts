import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { createPostgresStore } from '../node/store/postgres.js'
import { createSqliteStore } from '../node/store/sqlite.js'
import { createMemoryStore } from '../store/memory.js'
import type { Store } from '../store/types.js'
import { expectCode, testServer } from '../test/harness.js'
import { databaseUrl, dropSchema, freshSchema, skipWithout } from '../test/services.js'

// A session refreshed back to back, 600 times, leaves the two tokens the refresh rule needs (the live one
// and the one it replaced), not 601; and its first token, long forgotten, replayed is still reuse.

const dir = mkdtempSync(join(tmpdir(), 'leash-history-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A store, and how many refresh_tokens rows it holds (null where there is no table to count). */
type Subject = { store: Store; rows(): Promise<number | null>; close(): Promise<void> }

const subjects: Array<[string, () => Promise<Subject>]> = [
  ['memory', async () => ({ store: createMemoryStore(), rows: async () => null, close: async () => {} })],
  [
    'sqlite',
    async () => {
      const file = join(dir, `history-${Math.random().toString(36).slice(2)}.db`)
      const store = createSqliteStore(file)
      const rows = async () => {
        const db = new Database(file, { readonly: true })
        try {
          return (db.prepare('SELECT count(*) AS n FROM refresh_tokens').get() as { n: number }).n
        } finally {
          db.close()
        }
      }
      return { store, rows, close: () => store.close() }
    },
  ],
]
if (!skipWithout(['database'], 'PostgreSQL refresh history')) {
  subjects.push([
    'postgres',
    async () => {
      const schema = freshSchema()
      const store = createPostgresStore({ url: databaseUrl!, schema, max: 2 })
      const rows = async () => {
        const client = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` })
        await client.connect()
        try {
          return Number((await client.query('SELECT count(*) AS n FROM refresh_tokens')).rows[0].n)
        } finally {
          await client.end()
        }
      }
      return {
        store,
        rows,
        close: async () => {
          await store.close()
          await dropSchema(schema)
        },
      }
    },
  ])
}

describe.each(subjects)('%s store', (_name, make) => {
  it('600 back-to-back refreshes leave two tokens; the first, replayed, ends the session as reuse', async () => {
    const { store, rows, close } = await make()
    try {
      const s = await testServer({ store })
      const tokens = [(await s.login('alice')).refresh_token!]
      for (let i = 0; i < 600; i++) {
        const res = await s.refresh(tokens.at(-1)!)
        expect(res.status).toBe(200)
        tokens.push(((await res.json()) as { refresh_token: string }).refresh_token)
      }
      const held = []
      for (const token of tokens)
        if (await store.findRefreshFamily(await s.codec.hashRefreshToken(token))) held.push(token)
      expect(held).toEqual(tokens.slice(-2))
      const counted = await rows()
      if (counted !== null) expect(counted).toBe(2)
      // Forgotten, yet it names its family: theft detection still ends the session.
      await expectCode(await s.refresh(tokens[0]!), 401, 'refresh_token_reused')
      await expectCode(await s.refresh(tokens.at(-1)!), 401, 'session_revoked')
      // A grandparent too, in another session.
      const other = [(await s.login('alice')).refresh_token!]
      for (let i = 0; i < 3; i++)
        other.push(
          ((await (await s.refresh(other.at(-1)!)).json()) as { refresh_token: string }).refresh_token,
        )
      await expectCode(await s.refresh(other[1]!), 401, 'refresh_token_reused')
      await expectCode(await s.refresh(other[3]!), 401, 'session_revoked')
    } finally {
      await close()
    }
  }, 120_000)
})

describe('a session signed in before refresh tokens named their family', () => {
  it('refreshes, from then on with tokens that do, and its old token replayed is still reuse', async () => {
    const s = await testServer()
    const alice = await s.user('alice')
    const now = s.clock.now()
    const legacy = 'L'.repeat(43)
    const id = '3b241101-e2bb-4255-8caf-4136c566a962'
    await s.store.createSession(
      {
        id,
        userId: alice.id,
        createdAt: now,
        lastRefreshAt: now,
        absoluteExpiresAt: now + 3_600_000,
        authTime: now,
        transport: 'body',
        userAgent: null,
        endedAt: null,
        endReason: null,
      },
      await s.codec.hashRefreshToken(legacy),
    )
    const res = await s.refresh(legacy)
    expect(res.status).toBe(200)
    const next = ((await res.json()) as { refresh_token: string }).refresh_token
    expect(next).toMatch(/^[A-Za-z0-9_-]{107}$/)
    s.clock.advance(60) // past the reuse interval
    await expectCode(await s.refresh(legacy), 401, 'refresh_token_reused')
    await expectCode(await s.refresh(next), 401, 'session_revoked')
  })
})
