import { beforeEach, describe, expect, it } from 'vitest'
import { ConflictError, LastAdminError } from '../errors.js'
import { session, stores, user } from '../test/store-fixtures.js'
import type { Store, UserRecord } from './types.js'

// One suite, every store: what the server relies on must hold for each of them alike (the bounds on
// sessions and refresh history: store.conformance.bounds.test.ts).

const enabledAdmins = (users: UserRecord[]) => users.filter((u) => u.role === 'admin' && u.enabled)

describe.each(stores)('%s store', (_name, make) => {
  let store: Store
  beforeEach(async () => {
    store = make()
    return () => store.close()
  })

  it('creates users and finds them by id and by username, whatever its case', async () => {
    const u = await store.createUser(user())
    expect(await store.findUserById(u.id)).toEqual(u)
    expect(await store.findUserByUsername('alice')).toEqual(u)
    expect(await store.findUserByUsername('ALICE')).toEqual(u)
    expect(await store.findUserById('nobody')).toBeNull()
    expect(await store.findUserByUsername('nobody')).toBeNull()
  })

  it('refuses a username taken in another case', async () => {
    await store.createUser(user())
    await expect(store.createUser(user({ username: 'aLiCe' }))).rejects.toBeInstanceOf(ConflictError)
    expect(await store.listUsers()).toHaveLength(1)
  })

  it('lists users in creation order', async () => {
    await store.createUser(user({ username: 'b', createdAt: 2 }))
    await store.createUser(user({ username: 'a', createdAt: 1 }))
    expect((await store.listUsers()).map((u) => u.username)).toEqual(['a', 'b'])
  })

  it('patches a user and ends its sessions in the same call, leaving other users alone', async () => {
    const a = await store.createUser(user())
    const b = await store.createUser(user({ username: 'bob' }))
    const sa1 = session(a.id)
    const sa2 = session(a.id)
    const sb = session(b.id)
    for (const s of [sa1, sa2, sb]) await store.createSession(s, `hash-${s.id}`)
    const changed = await store.updateUser(
      a.id,
      { secret: 'secret-2', role: 'admin' },
      { reason: 'revoked', now: 5000 },
    )
    expect(changed).toMatchObject({ secret: 'secret-2', role: 'admin', enabled: true, passwordHash: 'hash' })
    expect(await store.findSession(sa1.id)).toMatchObject({ endedAt: 5000, endReason: 'revoked' })
    expect(await store.findSession(sa2.id)).toMatchObject({ endedAt: 5000, endReason: 'revoked' })
    expect(await store.findSession(sb.id)).toMatchObject({ endedAt: null })
    expect(await store.updateUser('nobody', { enabled: false })).toBeNull()
  })

  it('patches without ending sessions when not asked to', async () => {
    const a = await store.createUser(user())
    const s = session(a.id)
    await store.createSession(s, 'h')
    expect(await store.updateUser(a.id, { enabled: false })).toMatchObject({ enabled: false })
    expect(await store.findSession(s.id)).toMatchObject({ endedAt: null })
  })

  it('with keepAnAdmin, refuses to demote or disable the only enabled admin, changing nothing', async () => {
    const a = await store.createUser(user({ role: 'admin' }))
    const u = await store.createUser(user({ username: 'bob' }))
    const s = session(a.id)
    await store.createSession(s, 'h')
    const end = { reason: 'revoked' as const, now: 5000 }
    for (const patch of [
      { role: 'user' as const },
      { enabled: false },
      { role: 'user' as const, enabled: false },
    ]) {
      await expect(
        store.updateUser(a.id, { ...patch, secret: 'secret-2' }, end, { keepAnAdmin: true }),
      ).rejects.toBeInstanceOf(LastAdminError)
    }
    expect(await store.findUserById(a.id)).toEqual(a)
    expect(await store.findSession(s.id)).toMatchObject({ endedAt: null })
    // What takes no admin away passes: the admin's other changes, and any change to another user.
    expect(await store.updateUser(a.id, { secret: 'secret-3' }, end, { keepAnAdmin: true })).toMatchObject({
      role: 'admin',
      enabled: true,
      secret: 'secret-3',
    })
    expect(await store.updateUser(u.id, { enabled: false }, undefined, { keepAnAdmin: true })).toMatchObject({
      enabled: false,
    })
    expect(await store.updateUser('nobody', { role: 'user' }, undefined, { keepAnAdmin: true })).toBeNull()
    // Without the option the store does as it is told.
    expect(await store.updateUser(a.id, { role: 'user' })).toMatchObject({ role: 'user' })
  })

  it('with keepAnAdmin, lets one of two admins go, then keeps the last; promoting and enabling always pass', async () => {
    const keep = { keepAnAdmin: true }
    const a = await store.createUser(user({ role: 'admin' }))
    const b = await store.createUser(user({ username: 'bob', role: 'admin' }))
    const c = await store.createUser(user({ username: 'carol', role: 'admin', enabled: false }))
    expect(await store.updateUser(c.id, { role: 'user' }, undefined, keep)).toMatchObject({ role: 'user' })
    expect(await store.updateUser(a.id, { enabled: false }, undefined, keep)).toMatchObject({
      enabled: false,
    })
    await expect(store.updateUser(b.id, { role: 'user' }, undefined, keep)).rejects.toBeInstanceOf(
      LastAdminError,
    )
    expect(await store.updateUser(a.id, { enabled: true }, undefined, keep)).toMatchObject({ enabled: true })
    expect(await store.updateUser(b.id, { role: 'user' }, undefined, keep)).toMatchObject({ role: 'user' })
    expect(await store.updateUser(c.id, { role: 'admin' }, undefined, keep)).toMatchObject({ role: 'admin' })
    // A disabled admin does not count.
    await expect(store.updateUser(a.id, { role: 'user' }, undefined, keep)).rejects.toBeInstanceOf(
      LastAdminError,
    )
    expect(await store.updateUser(c.id, { enabled: true }, undefined, keep)).toMatchObject({ enabled: true })
    expect(await store.updateUser(a.id, { role: 'user' }, undefined, keep)).toMatchObject({ role: 'user' })
    expect(enabledAdmins(await store.listUsers()).map((x) => x.id)).toEqual([c.id])
  })

  it('with keepAnAdmin, admins demoting or disabling each other all at once leave exactly one', async () => {
    const keep = { keepAnAdmin: true }
    const end = { reason: 'revoked' as const, now: 5000 }
    // Several rounds, each adding two admins to the one left by the round before, so each race is real.
    for (let round = 0; round < 5; round++) {
      for (const k of [0, 1]) await store.createUser(user({ username: `admin-${round}-${k}`, role: 'admin' }))
      const admins = enabledAdmins(await store.listUsers())
      const results = await Promise.allSettled(
        admins.map((a, i) =>
          store.updateUser(a.id, i % 2 ? { role: 'user', secret: 'x' } : { enabled: false }, end, keep),
        ),
      )
      const refused = results.filter((r) => r.status === 'rejected')
      expect(refused).toHaveLength(1)
      expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(LastAdminError)
      const left = enabledAdmins(await store.listUsers())
      expect(left).toHaveLength(1)
      expect(results[admins.findIndex((a) => a.id === left[0]!.id)]!.status).toBe('rejected')
    }
  })

  const policy = { reuseIntervalMs: 10_000, idleTimeoutMs: 60_000 }

  it('spends refresh tokens by the one-live-token rule: rotate, one retry, then reuse ends the family', async () => {
    const a = await store.createUser(user())
    const s = session(a.id)
    await store.createSession(s, 'h1')
    expect(await store.spendRefreshToken('unknown', 'x', 2000, policy)).toBeNull()
    expect(await store.findRefreshFamily('unknown')).toBeNull()
    expect((await store.findRefreshFamily('h1'))?.family).toEqual({
      current: 'h1',
      previous: null,
      previousUsedAt: null,
      retried: false,
    })
    const rotated = await store.spendRefreshToken('h1', 'h2', 2000, policy)
    expect(rotated).toMatchObject({
      verdict: 'rotate',
      session: { id: s.id, lastRefreshAt: 2000, endedAt: null },
    })
    expect((await store.findSession(s.id))?.lastRefreshAt).toBe(2000)
    expect((await store.findRefreshFamily('h2'))?.family).toEqual({
      current: 'h2',
      previous: 'h1',
      previousUsedAt: 2000,
      retried: false,
    })
    // The previous token, once, within the interval, while h2 is unused: h2 is revoked, h3 is the live one.
    expect(await store.spendRefreshToken('h1', 'h3', 3000, policy)).toMatchObject({ verdict: 'retry' })
    expect((await store.findRefreshFamily('h3'))?.family).toMatchObject({ current: 'h3', retried: true })
    // The revoked child left the window and is forgotten; presented as its family's, it is reuse.
    expect(await store.findRefreshFamily('h2')).toBeNull()
    expect(await store.spendRefreshToken('h2', 'h4', 3500, policy, s.id)).toMatchObject({
      verdict: 'reused',
      session: { endedAt: 3500, endReason: 'reuse' },
    })
    expect(await store.findSession(s.id)).toMatchObject({ endedAt: 3500, endReason: 'reuse' })
    expect(await store.spendRefreshToken('h3', 'h5', 3600, policy)).toMatchObject({ verdict: 'ended' })
    expect(await store.findRefreshFamily('h4')).toBeNull() // nothing was issued for a refused presentation
  })

  it('times a session out at its idle or absolute end, and ends it through logout (no next token)', async () => {
    const a = await store.createUser(user())
    const idle = session(a.id)
    const absolute = session(a.id, { absoluteExpiresAt: 5000 })
    const out = session(a.id)
    await store.createSession(idle, 'i1')
    await store.createSession(absolute, 'a1')
    await store.createSession(out, 'o1')
    expect(await store.spendRefreshToken('i1', 'i2', 1000 + 60_000, policy)).toMatchObject({
      verdict: 'expired',
      session: { endReason: 'timeout' },
    })
    expect(await store.spendRefreshToken('a1', 'a2', 5000, policy)).toMatchObject({ verdict: 'expired' })
    expect(await store.findSession(absolute.id)).toMatchObject({ endedAt: 5000, endReason: 'timeout' })
    expect(await store.spendRefreshToken('o1', null, 2000, policy)).toMatchObject({
      verdict: 'rotate',
      session: { endedAt: 2000, endReason: 'logout' },
    })
    expect(await store.findSession(out.id)).toMatchObject({ endedAt: 2000, endReason: 'logout' })
    expect(await store.spendRefreshToken('o1', 'o2', 2001, policy)).toMatchObject({ verdict: 'ended' })
  })

  it('judges concurrent presentations of one token one at a time: never two live tokens', async () => {
    const a = await store.createUser(user())
    for (let round = 0; round < 10; round++) {
      const s = session(a.id)
      await store.createSession(s, `r${round}`)
      const nexts = [0, 1, 2].map((i) => `r${round}-${i}`)
      const spent = await Promise.all(nexts.map((n) => store.spendRefreshToken(`r${round}`, n, 2000, policy)))
      // One rotation, one retry (which revokes the rotation's token), and the third is reuse.
      expect(spent.map((x) => x?.verdict).sort()).toEqual(['retry', 'reused', 'rotate'])
      expect(await store.findSession(s.id)).toMatchObject({ endReason: 'reuse' })
      const pair = session(a.id)
      await store.createSession(pair, `p${round}`)
      const two = await Promise.all(
        ['x', 'y'].map((n) => store.spendRefreshToken(`p${round}`, `p${round}${n}`, 2000, policy)),
      )
      expect(two.map((x) => x?.verdict).sort()).toEqual(['retry', 'rotate'])
      const retried = `p${round}${two[0]?.verdict === 'retry' ? 'x' : 'y'}`
      const revoked = `p${round}${two[0]?.verdict === 'retry' ? 'y' : 'x'}`
      expect((await store.findRefreshFamily(retried))?.family.current).toBe(retried)
      expect(await store.findRefreshFamily(revoked)).toBeNull() // left the window: forgotten
      expect(await store.findSession(pair.id)).toMatchObject({ endedAt: null })
    }
  })

  it('ends sessions, once', async () => {
    const a = await store.createUser(user())
    const s = session(a.id)
    await store.createSession(s, 'h1')
    expect(await store.endSession(s.id, 'logout', 4000)).toBe(true)
    expect(await store.endSession(s.id, 'reuse', 4001)).toBe(false)
    expect(await store.findSession(s.id)).toMatchObject({ endedAt: 4000, endReason: 'logout' })
    expect(await store.spendRefreshToken('h1', 'h2', 5000, policy)).toMatchObject({ verdict: 'ended' })
    expect(await store.endSession('nothing', 'logout', 1)).toBe(false)
  })

  it("lists a user's live sessions, newest first, with their user agents, at most `limit`", async () => {
    const a = await store.createUser(user())
    const b = await store.createUser(user({ username: 'bob' }))
    const live = { now: 10_000, idleTimeoutMs: 5000, limit: 10 }
    const phone = session(a.id, { createdAt: 1000, lastRefreshAt: 9000, userAgent: 'Phone/1 ("é")' })
    const laptop = session(a.id, { createdAt: 3000, lastRefreshAt: 6000, userAgent: 'Laptop/2' })
    const tied = session(a.id, { id: 'zz-tied', createdAt: 3000, lastRefreshAt: 6000 })
    const idle = session(a.id, { createdAt: 4000, lastRefreshAt: 5000 }) // idle end: 10_000
    const absolute = session(a.id, { createdAt: 5000, lastRefreshAt: 9000, absoluteExpiresAt: 10_000 })
    const ended = session(a.id, { createdAt: 6000, lastRefreshAt: 9000 })
    const bobs = session(b.id, { createdAt: 7000, lastRefreshAt: 9000 })
    for (const s of [phone, laptop, tied, idle, absolute, ended, bobs]) await store.createSession(s, s.id)
    await store.endSession(ended.id, 'logout', 9500)
    expect(await store.listSessions(a.id, live)).toEqual([tied, laptop, phone])
    expect(await store.listSessions(a.id, { ...live, limit: 2 })).toEqual([tied, laptop])
    // A millisecond earlier, the idle and the absolute ones were still live.
    expect((await store.listSessions(a.id, { ...live, now: 9999 })).map((s) => s.id)).toEqual([
      absolute.id,
      idle.id,
      tied.id,
      laptop.id,
      phone.id,
    ])
    expect(await store.listSessions(b.id, live)).toEqual([bobs])
    expect(await store.listSessions('nobody', live)).toEqual([])
  })

  it("ends one of a user's live sessions by id, checking whose it is in the same step", async () => {
    const a = await store.createUser(user())
    const b = await store.createUser(user({ username: 'bob' }))
    const live = { now: 10_000, idleTimeoutMs: 5000 }
    const mine = session(a.id, { lastRefreshAt: 9000 })
    const bobs = session(b.id, { lastRefreshAt: 9000 })
    const idle = session(a.id, { lastRefreshAt: 5000 })
    const absolute = session(a.id, { lastRefreshAt: 9000, absoluteExpiresAt: 10_000 })
    for (const s of [mine, bobs, idle, absolute]) await store.createSession(s, s.id)
    // Another user's, an unknown id, and sessions past their idle or absolute end: false, nothing changes.
    expect(await store.endUserSession(a.id, bobs.id, 'revoked', live)).toBe(false)
    expect(await store.endUserSession(a.id, 'nothing', 'revoked', live)).toBe(false)
    expect(await store.endUserSession(a.id, idle.id, 'revoked', live)).toBe(false)
    expect(await store.endUserSession(a.id, absolute.id, 'revoked', live)).toBe(false)
    for (const s of [bobs, idle, absolute]) expect(await store.findSession(s.id)).toEqual(s)
    expect(await store.endUserSession(a.id, mine.id, 'revoked', live)).toBe(true)
    expect(await store.findSession(mine.id)).toMatchObject({ endedAt: 10_000, endReason: 'revoked' })
    expect(await store.spendRefreshToken(mine.id, 'next', 10_001, policy)).toMatchObject({ verdict: 'ended' })
    // Once only: an ended session is not ended again.
    expect(await store.endUserSession(a.id, mine.id, 'logout', { ...live, now: 10_002 })).toBe(false)
    expect(await store.findSession(mine.id)).toMatchObject({ endedAt: 10_000, endReason: 'revoked' })
    expect(await store.endUserSession(b.id, bobs.id, 'revoked', live)).toBe(true)
  })

  it('rotates the global epoch and ends every live session together', async () => {
    const a = await store.createUser(user())
    const b = await store.createUser(user({ username: 'bob' }))
    const ended = session(a.id)
    await store.createSession(ended, 'x')
    await store.endSession(ended.id, 'logout', 1500)
    await store.createSession(session(a.id), 'y')
    await store.createSession(session(b.id), 'z')
    expect(await store.initMeta('global_epoch', 'first')).toBe('first')
    expect(await store.initMeta('global_epoch', 'second')).toBe('first')
    await store.rotateGlobalEpoch('third', 6000)
    expect(await store.getMeta('global_epoch')).toBe('third')
    for (const hash of ['y', 'z']) {
      expect((await store.findRefreshFamily(hash))?.session).toMatchObject({
        endedAt: 6000,
        endReason: 'revoked',
      })
    }
    expect(await store.findSession(ended.id)).toMatchObject({ endedAt: 1500, endReason: 'logout' })
  })

  it('prunes only sessions that ended or expired before the cut, with their tokens', async () => {
    const a = await store.createUser(user())
    const old = session(a.id)
    const expired = session(a.id, { absoluteExpiresAt: 2000 })
    const live = session(a.id, { absoluteExpiresAt: 50_000 })
    await store.createSession(old, 'old')
    await store.createSession(expired, 'expired')
    await store.createSession(live, 'live')
    await store.endSession(old.id, 'logout', 1500)
    expect(await store.prune(3000)).toBe(2)
    expect(await store.findSession(old.id)).toBeNull()
    expect(await store.findSession(expired.id)).toBeNull()
    expect(await store.findRefreshFamily('old')).toBeNull()
    expect(await store.findSession(live.id)).not.toBeNull()
    expect(await store.findRefreshFamily('live')).not.toBeNull()
  })

  it("keeps each user's notes apart, in order", async () => {
    const a = await store.createUser(user())
    const b = await store.createUser(user({ username: 'bob' }))
    await store.addNote({ id: 'n1', userId: a.id, text: 'first', createdAt: 1 })
    await store.addNote({ id: 'n2', userId: b.id, text: 'bob', createdAt: 2 })
    await store.addNote({ id: 'n3', userId: a.id, text: 'second', createdAt: 3 })
    expect((await store.listNotes(a.id)).map((x) => x.text)).toEqual(['first', 'second'])
    expect((await store.listNotes(b.id)).map((x) => x.id)).toEqual(['n2'])
  })

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined()
  })
})
