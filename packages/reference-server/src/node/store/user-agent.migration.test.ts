import { expect } from 'vitest'
import type { SessionRecord, Store } from '../../store/types.js'
import { describeUpgradeFrom, UNDO_AFTER_4 } from '../../test/upgrade.js'

// Migration 3 adds the User-Agent a session was signed in with. A database written by a server before it
// keeps every session, each listed with no user agent, and sessions made after it keep theirs.

const live = { now: 2000, idleTimeoutMs: 600_000, limit: 10 }
const session = (id: string, userAgent: string | null): SessionRecord => ({
  id,
  userId: 'u1',
  createdAt: id === 'old' ? 1000 : 1500,
  lastRefreshAt: 1000,
  absoluteExpiresAt: 10_000_000,
  authTime: id === 'old' ? 1000 : 1500,
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
    email: null,
    emailVerified: false,
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

describeUpgradeFrom(2, 'migration 3: old sessions are kept, with no user agent', {
  seed: seedOld,
  downgrade: [...UNDO_AFTER_4, 'ALTER TABLE sessions DROP COLUMN user_agent', 'DROP TABLE audit_events'],
  check: expectMigrated,
})
