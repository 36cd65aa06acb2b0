import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, it } from 'vitest'
import { createSqliteStore } from '../node/store/sqlite.js'
import { createMemoryStore } from '../store/memory.js'
import type { SessionRecord, Store, UserRecord } from '../store/types.js'
import { isolatedPostgresStore, skipWithout } from './services.js'

// The stores the conformance suites run against, and records to feed them. Imported by a test file only.

const dir = mkdtempSync(join(tmpdir(), 'leash-store-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0

export const stores: Array<[string, () => Store]> = [
  ['memory', () => createMemoryStore()],
  ['sqlite (file)', () => createSqliteStore(join(dir, `conformance-${++n}.db`))],
]
// PostgreSQL joins when a database is given (CI starts one); each test gets a schema of its own.
const noPostgres = skipWithout(['database'], 'PostgreSQL store conformance')
if (noPostgres) describe.skip(`postgres store: ${noPostgres}`, () => it.todo('conformance'))
else stores.push(['postgres', isolatedPostgresStore])

export const user = (over: Partial<UserRecord> = {}): UserRecord => ({
  id: `u-${Math.random().toString(36).slice(2)}`,
  username: 'Alice',
  passwordHash: 'hash',
  role: 'user',
  enabled: true,
  secret: 'secret-1',
  createdAt: 1000,
  ...over,
})
export const session = (userId: string, over: Partial<SessionRecord> = {}): SessionRecord => ({
  id: `s-${Math.random().toString(36).slice(2)}`,
  userId,
  createdAt: 1000,
  lastRefreshAt: 1000,
  absoluteExpiresAt: 100_000,
  authTime: 1000,
  transport: 'cookie',
  userAgent: null,
  endedAt: null,
  endReason: null,
  ...over,
})
