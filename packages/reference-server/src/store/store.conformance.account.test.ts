import type { AuditEvent } from '@leash/protocol'
import { beforeEach, describe, expect, it } from 'vitest'
import { ConflictError } from '../errors.js'
import { session, stores, user } from '../test/store-fixtures.js'
import type { AccountTokenPurpose, AccountTokenRecord, Store } from './types.js'

// One suite, every store: emails are unique ignoring case; a single-use account token works once, only
// while live, only the newest of its purpose, and its effect commits with its spend or not at all.

const token = (
  userId: string,
  over: Partial<AccountTokenRecord> = {},
  purpose: AccountTokenPurpose = 'reset_password',
): AccountTokenRecord => ({
  hash: `h-${Math.random().toString(36).slice(2)}`,
  userId,
  purpose,
  email: 'alice@example.com',
  createdAt: 1000,
  expiresAt: 5000,
  ...over,
})
let n = 0
const event = (userId: string): AuditEvent => ({
  id: `acct-${++n}-${Math.random().toString(36).slice(2)}`,
  time: 1000,
  type: 'password.reset',
  version: 1,
  user: userId,
  actor: null,
  session: null,
  address: null,
  user_agent: null,
  code: null,
})

describe.each(stores)('%s store: email and account tokens', (_name, make) => {
  let store: Store
  beforeEach(async () => {
    store = make()
    return () => store.close()
  })
  const alice = () => store.createUser(user({ email: 'Alice@Example.com' }))

  it('finds a user by email ignoring case, and refuses an email taken in another case', async () => {
    const a = await alice()
    expect(a).toMatchObject({ email: 'Alice@Example.com', emailVerified: false })
    expect(await store.findUserByEmail('alice@example.COM')).toEqual(a)
    expect(await store.findUserByEmail('nobody@example.com')).toBeNull()
    const taken = store.createUser(user({ username: 'bob', email: 'ALICE@example.com' }))
    await expect(taken).rejects.toBeInstanceOf(ConflictError)
    await expect(taken).rejects.toMatchObject({ what: 'email' })
    await expect(store.createUser(user({ username: 'ALICE' }))).rejects.toMatchObject({ what: 'username' })
    // Any number of users without an email.
    await store.createUser(user({ username: 'carol' }))
    await store.createUser(user({ username: 'dave' }))
    expect(await store.listUsers()).toHaveLength(3)
  })

  it('spends a token once: the second spend gets null and changes nothing', async () => {
    const a = await alice()
    const t = token(a.id)
    await store.issueAccountToken(t)
    expect(await store.findAccountToken(t.hash, 'reset_password', 2000)).toEqual(t)
    const effect = { patch: { passwordHash: 'new-hash' }, audit: () => [event(a.id)] }
    expect(await store.spendAccountToken(t.hash, 'reset_password', 2000, effect)).toMatchObject({
      id: a.id,
      passwordHash: 'new-hash',
    })
    const again = { patch: { passwordHash: 'third-hash' }, audit: () => [event(a.id)] }
    expect(await store.spendAccountToken(t.hash, 'reset_password', 2000, again)).toBeNull()
    expect((await store.findUserById(a.id))?.passwordHash).toBe('new-hash')
    expect(await store.findAccountToken(t.hash, 'reset_password', 2000)).toBeNull()
    expect(await store.listEvents({ limit: 10 })).toHaveLength(1)
  })

  it('refuses a token at its end, of another purpose, or for an address that is no longer the user’s', async () => {
    const a = await alice()
    const t = token(a.id)
    const stale = token(a.id, { email: 'old@example.com' }, 'verify_email')
    await store.issueAccountToken(t)
    await store.issueAccountToken(stale)
    const effect = { patch: { passwordHash: 'x' } }
    expect(await store.findAccountToken(t.hash, 'reset_password', 5000)).toBeNull()
    expect(await store.spendAccountToken(t.hash, 'reset_password', 5000, effect)).toBeNull()
    expect(await store.spendAccountToken(t.hash, 'verify_email', 2000, effect)).toBeNull()
    expect(await store.findAccountToken(stale.hash, 'verify_email', 2000)).toBeNull()
    expect(await store.spendAccountToken(stale.hash, 'verify_email', 2000, effect)).toBeNull()
    expect((await store.findUserById(a.id))?.passwordHash).toBe('hash')
    // Still there for what it is: a reset before its end.
    expect(await store.spendAccountToken(t.hash, 'reset_password', 4999, effect)).not.toBeNull()
  })

  it('keeps only the newest token of a purpose per user', async () => {
    const a = await alice()
    const b = await store.createUser(user({ username: 'bob', email: 'bob@example.com' }))
    const older = token(a.id)
    const verify = token(a.id, {}, 'verify_email')
    const bobs = token(b.id, { email: 'bob@example.com' })
    for (const t of [older, verify, bobs]) await store.issueAccountToken(t)
    const newer = token(a.id)
    await store.issueAccountToken(newer)
    expect(await store.findAccountToken(older.hash, 'reset_password', 2000)).toBeNull()
    expect(await store.findAccountToken(newer.hash, 'reset_password', 2000)).toEqual(newer)
    expect(await store.findAccountToken(verify.hash, 'verify_email', 2000)).toEqual(verify)
    expect(await store.findAccountToken(bobs.hash, 'reset_password', 2000)).toEqual(bobs)
  })

  it('a new password, however it is set, spends the user’s reset tokens (and only those)', async () => {
    const a = await alice()
    const reset = token(a.id)
    const verify = token(a.id, {}, 'verify_email')
    await store.issueAccountToken(reset)
    await store.issueAccountToken(verify)
    await store.updateUser(a.id, { role: 'admin' })
    expect(await store.findAccountToken(reset.hash, 'reset_password', 2000)).not.toBeNull()
    await store.updateUser(a.id, { passwordHash: 'changed' })
    expect(await store.findAccountToken(reset.hash, 'reset_password', 2000)).toBeNull()
    expect(await store.findAccountToken(verify.hash, 'verify_email', 2000)).toEqual(verify)
  })

  it('applies the effect with the spend: the patch, the end of every session, the events', async () => {
    const a = await alice()
    const s = session(a.id)
    await store.createSession(s, `hash-${s.id}`)
    const t = token(a.id)
    await store.issueAccountToken(t, [{ ...event(a.id), type: 'password.reset_requested' }])
    const spent = await store.spendAccountToken(t.hash, 'reset_password', 2000, {
      patch: { passwordHash: 'p2', secret: 'secret-2', emailVerified: true },
      end: { reason: 'revoked', now: 2000 },
      audit: (u) => [{ ...event(u.id), session: u.secret }],
    })
    expect(spent).toMatchObject({ passwordHash: 'p2', secret: 'secret-2', emailVerified: true })
    expect(await store.findSession(s.id)).toMatchObject({ endedAt: 2000, endReason: 'revoked' })
    const events = await store.listEvents({ limit: 10 })
    expect(events.map((e) => e.type).sort()).toEqual(['password.reset', 'password.reset_requested'])
    expect(events.find((e) => e.type === 'password.reset')?.session).toBe('secret-2')
  })

  it('an effect whose event cannot be written leaves the token unspent and the user unchanged', async () => {
    const a = await alice()
    const t = token(a.id)
    const written = event(a.id)
    await store.recordEvents([written])
    const effect = { patch: { passwordHash: 'p2' }, audit: () => [written] } // a duplicate id
    await expect(store.spendAccountToken(t.hash, 'reset_password', 2000, effect)).resolves.toBeNull()
    await store.issueAccountToken(t)
    await expect(store.spendAccountToken(t.hash, 'reset_password', 2000, effect)).rejects.toThrow()
    expect((await store.findUserById(a.id))?.passwordHash).toBe('hash')
    expect(await store.findAccountToken(t.hash, 'reset_password', 2000)).toEqual(t)
  })

  it('two spends of one token at once: exactly one gets the user', async () => {
    const a = await alice()
    for (let round = 0; round < 5; round++) {
      const t = token(a.id)
      await store.issueAccountToken(t)
      const spend = () =>
        store.spendAccountToken(t.hash, 'reset_password', 2000, { patch: { secret: `s${round}` } })
      const results = await Promise.all([spend(), spend(), spend()])
      expect(results.filter((r) => r !== null)).toHaveLength(1)
    }
  })
})
