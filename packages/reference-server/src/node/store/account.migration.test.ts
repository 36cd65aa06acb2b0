import { expect } from 'vitest'
import { ConflictError } from '../../errors.js'
import type { UserRecord } from '../../store/types.js'
import { describeUpgradeFrom, UNDO_AFTER_4 } from '../../test/upgrade.js'

// The account migration (SQLite 6, PostgreSQL 7) adds the email (unique ignoring case, verified or not) and the single-use account tokens.
// A database written before it keeps every user, each with no email; emails and tokens work after it.

const user = (over: Partial<UserRecord>): UserRecord => ({
  ...{ id: 'u', username: 'u', passwordHash: 'h', role: 'user', enabled: true, secret: 's', createdAt: 1 },
  ...{ email: null, emailVerified: false, ...over },
})

describeUpgradeFrom(4, 'the account migration: old users are kept, with no email', {
  seed: async (store) => {
    await store.createUser(user({ id: 'u1', username: 'alice' }))
  },
  downgrade: UNDO_AFTER_4,
  check: async (store) => {
    expect(await store.findUserById('u1')).toMatchObject({
      username: 'alice',
      email: null,
      emailVerified: false,
    })
    await store.createUser(user({ id: 'u2', username: 'bob', email: 'Bob@Example.com' }))
    expect((await store.findUserByEmail('bob@example.COM'))?.id).toBe('u2')
    await expect(
      store.createUser(user({ username: 'carol', email: 'BOB@example.com' })),
    ).rejects.toBeInstanceOf(ConflictError)
    const token = { hash: 'h', userId: 'u2', purpose: 'verify_email' as const, email: 'bob@example.com' }
    await store.issueAccountToken({ ...token, createdAt: 1, expiresAt: 10 })
    const spent = await store.spendAccountToken('h', 'verify_email', 5, { patch: { emailVerified: true } })
    expect(spent).toMatchObject({ id: 'u2', emailVerified: true })
  },
})
