import { expect } from 'vitest'
import type { SessionRecord, Store } from '../../store/types.js'
import { describeUpgradeFrom, UNDO_AFTER_4 } from '../../test/upgrade.js'

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
  authTime: 1000,
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
    email: null,
    emailVerified: false,
  })
  await store.createSession(session('s1', 'u1'), 'first')
}

/**
 * Turns the schema back into version 1 as the old server left it after a fork: `first` used twice, and two
 * unused children, `old` (t=2000) and `new` (t=3000).
 */
const TO_VERSION_1 = [
  ...UNDO_AFTER_4,
  `UPDATE refresh_tokens SET use_count = 2, used_at = 1500 WHERE hash = 'first'`,
  `INSERT INTO refresh_tokens (hash, session_id, issued_at) VALUES ('old', 's1', 2000), ('new', 's1', 3000)`,
  'ALTER TABLE sessions DROP COLUMN refresh_current',
  'ALTER TABLE sessions DROP COLUMN refresh_previous',
  'ALTER TABLE sessions DROP COLUMN refresh_previous_used_at',
  'ALTER TABLE sessions DROP COLUMN refresh_retried',
  'ALTER TABLE sessions DROP COLUMN user_agent', // migration 3's
  'DROP TABLE audit_events', // migration 4's
]

async function expectOneLiveToken(store: Store) {
  expect((await store.findRefreshFamily('new'))?.family.current).toBe('new')
  expect(await store.spendRefreshToken('new', 'next', 4000, policy)).toMatchObject({ verdict: 'rotate' })
  // The other half of the old fork is not live: presenting it is reuse.
  expect(await store.spendRefreshToken('old', 'x', 4001, policy)).toMatchObject({ verdict: 'reused' })
}

describeUpgradeFrom(
  1,
  'migration 2: each live session keeps its newest unused token, the rest of a fork is reuse',
  {
    seed: seedSession,
    downgrade: TO_VERSION_1,
    check: expectOneLiveToken,
  },
)
