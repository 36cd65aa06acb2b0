import { expect } from 'vitest'
import type { SessionRecord, Store } from '../../store/types.js'
import { session as record, user } from '../../test/records.js'
import { describeUpgradeFrom, UNDO_AFTER_4 } from '../../test/upgrade.js'

// The step-up migration (SQLite 8, PostgreSQL 9) adds a session's sign-in time (the access token's
// `auth_time`). A database written by a server before it keeps every session, each signed in when it was
// created; sessions made after it keep their own.

const session = (id: string, createdAt: number, authTime: number): SessionRecord =>
  record('u1', {
    id,
    createdAt,
    lastRefreshAt: createdAt,
    absoluteExpiresAt: 10_000_000,
    authTime,
    transport: 'body',
  })

async function seedOld(store: Store) {
  await store.createUser(user({ id: 'u1', username: 'alice', createdAt: 1 }))
  // Its sign-in time is dropped with the column: the migration must make it the creation time.
  await store.createSession(session('old', 1000, 1700), 'old-token')
}

async function expectMigrated(store: Store) {
  expect(await store.findSession('old')).toEqual(session('old', 1000, 1000))
  await store.createSession(session('new', 1500, 1800), 'new-token')
  expect(await store.findSession('new')).toEqual(session('new', 1500, 1800))
  expect(await store.setAuthTime('old', 2500)).toMatchObject({ authTime: 2500 })
}

describeUpgradeFrom(4, 'the step-up migration: old sessions count as signed in when they were created', {
  seed: seedOld,
  downgrade: UNDO_AFTER_4,
  check: expectMigrated,
})
