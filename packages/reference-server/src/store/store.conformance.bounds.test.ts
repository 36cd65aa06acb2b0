import { beforeEach, describe, expect, it } from 'vitest'
import { session, stores, user } from '../test/store-fixtures.js'
import type { SessionCap, Store } from './types.js'

// One suite, every store: the bounds on what a user can make the store keep. Live sessions per user are
// capped at sign-in; a family's refresh history keeps only what the refresh rule needs.

describe.each(stores)('%s store', (_name, make) => {
  let store: Store
  beforeEach(async () => {
    store = make()
    return () => store.close()
  })

  const live = { now: 10_000, idleTimeoutMs: 5000 }
  const cap = (max: number, now = live.now): SessionCap => ({ ...live, now, max })
  const liveIds = async (userId: string) =>
    (await store.listSessions(userId, { ...live, limit: 100 })).map((s) => s.id).sort()

  it('caps live sessions at sign-in, ending the least recently used others in the same step', async () => {
    const a = await store.createUser(user())
    const b = await store.createUser(user({ username: 'bob' }))
    // By the idle clock, then the sign-in: old-but-refreshed outlives newer-but-idle.
    const refreshed = session(a.id, { createdAt: 1000, lastRefreshAt: 9000 })
    const idle = session(a.id, { createdAt: 2000, lastRefreshAt: 6000 })
    const tieOlder = session(a.id, { createdAt: 3000, lastRefreshAt: 7000 })
    const tieNewer = session(a.id, { createdAt: 4000, lastRefreshAt: 7000 })
    const timedOut = session(a.id, { createdAt: 500, lastRefreshAt: 500 }) // idle end 5500: not live
    const ended = session(a.id, { createdAt: 600, lastRefreshAt: 9500 })
    const bobs = session(b.id, { lastRefreshAt: 1000 + 4000 })
    for (const s of [refreshed, idle, tieOlder, tieNewer, timedOut, ended, bobs]) {
      expect(await store.createSession(s, `t-${s.id}`)).toEqual([]) // no cap given: nothing ends
    }
    await store.endSession(ended.id, 'logout', 9600)

    // Under the cap: nothing ends.
    const first = session(a.id, { createdAt: 10_000, lastRefreshAt: 10_000 })
    expect(await store.createSession(first, 'first', cap(5))).toEqual([])
    // Over it by two (6 live + 1 new, cap 5): the two least recently used end, as 'revoked'.
    const second = session(a.id, { createdAt: 10_000, lastRefreshAt: 10_000 })
    expect((await store.createSession(second, 'second', cap(4))).sort()).toEqual(
      [idle.id, tieOlder.id].sort(),
    )
    expect(await store.findSession(idle.id)).toMatchObject({ endedAt: 10_000, endReason: 'revoked' })
    expect(await liveIds(a.id)).toEqual([refreshed.id, tieNewer.id, first.id, second.id].sort())
    expect(await store.spendRefreshToken(`t-${idle.id}`, 'n', 10_001, policy)).toMatchObject({
      verdict: 'ended',
    })
    // The new session is never the one to go, even at a cap of one and in the same millisecond.
    const only = session(a.id, { createdAt: 10_000, lastRefreshAt: 10_000 })
    expect(await store.createSession(only, 'only', cap(1))).toHaveLength(4)
    expect(await liveIds(a.id)).toEqual([only.id])
    // Other users, timed-out and ended sessions were not touched.
    expect(await store.findSession(bobs.id)).toEqual(bobs)
    expect(await store.findSession(timedOut.id)).toEqual(timedOut)
    expect(await store.findSession(ended.id)).toMatchObject({ endReason: 'logout' })
  })

  it('concurrent sign-ins of one user never leave more than the cap live', async () => {
    const a = await store.createUser(user())
    for (let round = 0; round < 3; round++) {
      const made = Array.from({ length: 8 }, (_, i) =>
        session(a.id, { createdAt: 10_000 + i, lastRefreshAt: 10_000 + i }),
      )
      const ended = await Promise.all(made.map((s) => store.createSession(s, `c${round}-${s.id}`, cap(3))))
      expect(await liveIds(a.id)).toHaveLength(3)
      // Each ended session was ended by exactly one sign-in.
      expect(new Set(ended.flat()).size).toBe(ended.flat().length)
    }
  })

  it("keeps a family's history two tokens long; a forgotten token of the family is reuse", async () => {
    const a = await store.createUser(user())
    const s = session(a.id)
    await store.createSession(s, 'h0')
    for (let i = 1; i <= 600; i++) {
      expect(await store.spendRefreshToken(`h${i - 1}`, `h${i}`, 2000 + i, policy)).toMatchObject({
        verdict: 'rotate',
      })
    }
    const held = []
    for (let i = 0; i <= 600; i++) if (await store.findRefreshFamily(`h${i}`)) held.push(`h${i}`)
    expect(held).toEqual(['h599', 'h600'])
    // Unknown without its family; with a family that does not exist, unknown too.
    expect(await store.spendRefreshToken('h0', 'x', 3000, policy)).toBeNull()
    expect(await store.spendRefreshToken('h0', 'x', 3000, policy, 'no-such-session')).toBeNull()
    expect(await store.findSession(s.id)).toMatchObject({ endedAt: null })
    // Named as its family's, the forgotten first token ends the family; nothing is issued for it.
    expect(await store.spendRefreshToken('h0', 'x', 3000, policy, s.id)).toMatchObject({
      verdict: 'reused',
      session: { id: s.id, endedAt: 3000, endReason: 'reuse' },
    })
    expect(await store.findRefreshFamily('x')).toBeNull()
    expect(await store.spendRefreshToken('h600', 'y', 3001, policy)).toMatchObject({ verdict: 'ended' })
  })

  it('a known token is judged by its own family, whatever family the caller names', async () => {
    const a = await store.createUser(user())
    const mine = session(a.id)
    const other = session(a.id)
    await store.createSession(mine, 'm0')
    await store.createSession(other, 'o0')
    expect(await store.spendRefreshToken('m0', 'm1', 2000, policy, other.id)).toMatchObject({
      verdict: 'rotate',
      session: { id: mine.id },
    })
    expect(await store.findSession(other.id)).toMatchObject({ endedAt: null })
  })
})

const policy = { reuseIntervalMs: 10_000, idleTimeoutMs: 60_000 }
