import type { AuditEvent } from '@leash/protocol'
import { beforeEach, describe, expect, it } from 'vitest'
import type { Invalidation } from '../bus/types.js'
import { session, stores, user } from '../test/store-fixtures.js'
import type { Store } from './types.js'

// One suite, every store: each change that ends a session or changes a user writes its invalidation to the
// outbox in its own transaction (so an instance that dies after the commit cannot lose it), and a change
// that does not happen, or rolls back, writes none.

let n = 0
const event = (over: Partial<AuditEvent> = {}): AuditEvent => ({
  id: `o-${String(++n).padStart(4, '0')}`,
  time: 1000,
  type: 'session.revoked',
  version: 1,
  user: null,
  actor: null,
  session: null,
  address: null,
  user_agent: null,
  code: null,
  ...over,
})
const policy = { reuseIntervalMs: 0, idleTimeoutMs: 600_000 }
const live = { now: 2000, idleTimeoutMs: 600_000 }

describe.each(stores)('%s store: outbox', (_name, make) => {
  let store: Store
  beforeEach(async () => {
    store = make()
    return () => store.close()
  })
  /** Every message written after `seq`, in order. */
  const since = async (seq: number): Promise<Invalidation[]> =>
    (await store.outboxAfter(seq, 100)).map((e) => e.message)

  it('writes the invalidation of every revoking change with it, numbered in order', async () => {
    const u = await store.createUser(user())
    const start = await store.outboxSeq()
    const [a, b, c, d, e] = [1, 2, 3, 4, 5].map((i) =>
      session(u.id, { createdAt: 1000 + i, lastRefreshAt: 1000 + i }),
    )
    for (const s of [a!, b!, c!, d!]) await store.createSession(s, `t-${s.id}`)
    expect(await since(start)).toEqual([]) // sign-ins without an eviction revoke nothing
    await store.spendRefreshToken(`t-${a!.id}`, 'a2', 1500, policy, a!.id) // a rotation revokes nothing
    expect(await since(start)).toEqual([])

    expect(await store.endSession(a!.id, 'logout', 2000)).toBe(true)
    expect(await store.endUserSession(u.id, b!.id, 'revoked', live)).toBe(true)
    await store.spendRefreshToken(`t-${c!.id}`, null, 2000, policy, c!.id) // logout by refresh token
    await store.spendRefreshToken(`t-${d!.id}`, 'd2', 1500, policy, d!.id)
    await store.spendRefreshToken(`t-${d!.id}`, 'd3', 1600, policy, d!.id) // reuse: the family ends
    await store.createSession(e!, 'te')
    const f = session(u.id, { createdAt: 3000, lastRefreshAt: 3000 })
    expect(await store.createSession(f, 'tf', { ...live, now: 3000, max: 1 })).toEqual([e!.id])
    await store.updateUser(u.id, { enabled: false }, { reason: 'disabled', now: 4000 })
    await store.rotateGlobalEpoch('epoch-2', 5000)

    const entries = await store.outboxAfter(start, 100)
    expect(entries.map((x) => x.message)).toEqual([
      { kind: 'session', id: a!.id },
      { kind: 'session', id: b!.id },
      { kind: 'session', id: c!.id },
      { kind: 'session', id: d!.id },
      { kind: 'session', id: e!.id },
      { kind: 'user', id: u.id },
      { kind: 'all' },
    ])
    expect(entries.map((x) => x.time)).toEqual([2000, 2000, 2000, 1600, 3000, 4000, 5000])
    const seqs = entries.map((x) => x.seq)
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y))
    expect(new Set(seqs).size).toBe(seqs.length)
    expect(await store.outboxSeq()).toBe(seqs.at(-1))
    // Read in pages: after any entry, the ones that follow it.
    expect((await store.outboxAfter(seqs[1]!, 2)).map((x) => x.seq)).toEqual(seqs.slice(2, 4))
  })

  it('writes nothing for a change that did not happen', async () => {
    const u = await store.createUser(user())
    const s = session(u.id)
    await store.createSession(s, 't1')
    await store.endSession(s.id, 'logout', 2000)
    const start = await store.outboxSeq()
    expect(await store.endSession(s.id, 'logout', 2100)).toBe(false) // ended already
    expect(await store.endSession('nothing', 'logout', 2100)).toBe(false)
    const t = session(u.id)
    await store.createSession(t, 't2')
    expect(await store.endUserSession('someone-else', t.id, 'revoked', live)).toBe(false)
    expect(await store.updateUser('nobody', { enabled: false }, { reason: 'disabled', now: 2000 })).toBeNull()
    expect(await store.spendRefreshToken('t1', 'again', 2200, policy, s.id)).toMatchObject({
      verdict: 'ended', // presented after its session ended: it stays ended, nothing new to announce
    })
    expect(await since(start)).toEqual([])
  })

  it('a change that rolls back leaves no outbox row, and keeps what it would have changed', async () => {
    const admin = await store.createUser(user({ role: 'admin', username: 'root' }))
    const taken = event()
    await store.recordEvents([taken])
    const s = session(admin.id)
    await store.createSession(s, 'ts')
    const start = await store.outboxSeq()
    // The last admin cannot be disabled: refused inside the transaction.
    await expect(
      store.updateUser(
        admin.id,
        { enabled: false },
        { reason: 'disabled', now: 2000 },
        { keepAnAdmin: true },
      ),
    ).rejects.toThrow()
    // Each change runs, then its event's id is taken: the change, and its invalidation, roll back.
    const clash = [event({ id: taken.id })]
    await expect(store.endSession(s.id, 'logout', 2000, clash)).rejects.toThrow()
    await expect(store.endUserSession(admin.id, s.id, 'revoked', live, clash)).rejects.toThrow()
    await expect(
      store.updateUser(admin.id, { role: 'user' }, { reason: 'revoked', now: 2000 }, { audit: clash }),
    ).rejects.toThrow()
    await expect(store.rotateGlobalEpoch('epoch-2', 2000, clash)).rejects.toThrow()
    const failing = () => {
      throw new Error('crash between the change and its event')
    }
    const over = session(admin.id, { createdAt: 3000, lastRefreshAt: 3000 })
    await expect(store.createSession(over, 'to', { ...live, max: 1 }, failing)).rejects.toThrow()
    await expect(store.spendRefreshToken('ts', null, 2000, policy, s.id, failing)).rejects.toThrow()

    expect(await since(start)).toEqual([])
    expect((await store.findSession(s.id))?.endedAt).toBeNull()
    expect(await store.findUserById(admin.id)).toMatchObject({ enabled: true, role: 'admin' })
    // The next change that commits is read after the gap its rolled-back ones may have left.
    await store.endSession(s.id, 'logout', 4000)
    expect(await since(start)).toEqual([{ kind: 'session', id: s.id }])
  })

  it('prunes entries older than the retention, oldest first, at most `limit` at a time', async () => {
    const u = await store.createUser(user())
    for (const now of [1000, 2000, 5000, 9000]) {
      const s = session(u.id)
      await store.createSession(s, `t-${now}`)
      await store.endSession(s.id, 'logout', now)
    }
    const all = async () => (await store.outboxAfter(0, 100)).map((e) => e.time)
    expect(await store.pruneOutbox(5000, 1)).toBe(1)
    expect(await all()).toEqual([2000, 5000, 9000])
    expect(await store.pruneOutbox(5000)).toBe(1)
    expect(await all()).toEqual([5000, 9000])
    const last = await store.outboxSeq()
    expect(await store.pruneOutbox(10_000)).toBe(2)
    // Numbers are never reused: what is written next comes after what was pruned.
    const s = session(u.id)
    await store.createSession(s, 't-last')
    await store.endSession(s.id, 'logout', 10_000)
    expect((await store.outboxAfter(last, 10))[0]?.message).toEqual({ kind: 'session', id: s.id })
  })
})
