import type { AuditEvent, AuditEventType } from '@leash/protocol'
import { beforeEach, describe, expect, it } from 'vitest'
import { session, stores, user } from '../test/store-fixtures.js'
import type { Store } from './types.js'

// One suite, every store: an audit event commits with the change it records, or not at all; pages run
// newest first by (time, id); retention deletes what is older than it.

let n = 0
const event = (over: Partial<AuditEvent> = {}): AuditEvent => ({
  id: `e-${String(++n).padStart(4, '0')}`,
  time: 1000,
  type: 'login.failed',
  version: 1,
  user: null,
  actor: null,
  session: null,
  address: '192.0.2.1',
  user_agent: 'Test/1',
  code: 'invalid_credentials',
  ...over,
})
const policy = { reuseIntervalMs: 0, idleTimeoutMs: 600_000 }
const live = { now: 2000, idleTimeoutMs: 600_000 }

describe.each(stores)('%s store: audit', (_name, make) => {
  let store: Store
  beforeEach(async () => {
    store = make()
    return () => store.close()
  })
  const all = () => store.listEvents({ limit: 200 })
  const types = async () => (await all()).map((e) => e.type).sort()

  it('writes each change’s events with it, and reads them back as written', async () => {
    const registered = event({ type: 'user.registered', code: null })
    const u = await store.createUser(user(), [registered])
    expect(await all()).toEqual([registered])
    const s = session(u.id)
    await store.createSession(s, 'first', undefined, () => [
      event({ type: 'login.succeeded', session: s.id }),
    ])
    await store.spendRefreshToken('first', 'second', 1500, policy, s.id)
    // The spent token again, past the reuse interval: reuse, and the family's end, with its event.
    const reuse = (spent: { verdict: string }) =>
      spent.verdict === 'reused' ? [event({ type: 'refresh.reuse_detected', session: s.id })] : []
    expect(await store.spendRefreshToken('first', 'third', 1600, policy, s.id, reuse)).toMatchObject({
      verdict: 'reused',
    })
    await store.updateUser(u.id, { enabled: false }, undefined, { audit: [event({ type: 'user.disabled' })] })
    await store.rotateGlobalEpoch('e2', 3000, [event({ type: 'sessions.revoked_all' })])
    expect(await types()).toEqual(
      [
        'login.succeeded',
        'refresh.reuse_detected',
        'sessions.revoked_all',
        'user.disabled',
        'user.registered',
      ].sort(),
    )
  })

  it('writes no event for a change that did not happen', async () => {
    const u = await store.createUser(user())
    expect(await store.updateUser('nobody', { role: 'admin' }, undefined, { audit: [event()] })).toBeNull()
    expect(await store.endSession('nothing', 'logout', 2000, [event()])).toBe(false)
    const s = session(u.id)
    await store.createSession(s, 't1')
    expect(await store.endUserSession('someone-else', s.id, 'revoked', live, [event()])).toBe(false)
    expect(await store.endSession(s.id, 'logout', 2000, [event({ type: 'session.signed_out' })])).toBe(true)
    expect(await store.endSession(s.id, 'logout', 2100, [event()])).toBe(false) // ended already
    expect(await types()).toEqual(['session.signed_out'])
  })

  it('a change that fails mid-transaction leaves no event, and an event that cannot be written no change', async () => {
    const taken = event({ type: 'user.registered' })
    const a = await store.createUser(user(), [taken])
    // The username is taken: the insert fails after the event's, and both roll back.
    await expect(store.createUser(user(), [event({ type: 'user.registered' })])).rejects.toThrow()
    // The change runs, then its event's id is taken: the change rolls back with it.
    await expect(
      store.updateUser(a.id, { role: 'admin' }, undefined, { audit: [event({ id: taken.id })] }),
    ).rejects.toThrow()
    expect((await store.findUserById(a.id))?.role).toBe('user')
    // The events are built inside the session's transaction; one that throws there undoes the sign-in.
    const s = session(a.id)
    const failing = () => {
      throw new Error('crash between the change and its event')
    }
    await expect(store.createSession(s, 'tok', { ...live, max: 5 }, failing)).rejects.toThrow()
    expect(await store.findSession(s.id)).toBeNull()
    // A refresh whose event fails is not applied either: the token stays live.
    const t = session(a.id)
    await store.createSession(t, 'live-token')
    await expect(store.spendRefreshToken('live-token', 'next', 1500, policy, t.id, failing)).rejects.toThrow()
    expect((await store.findRefreshFamily('live-token'))?.family.current).toBe('live-token')
    // A batch of refusals is one transaction too: one taken id, none written.
    await expect(store.recordEvents([event(), event({ id: taken.id })])).rejects.toThrow()
    expect(await all()).toEqual([taken])
  })

  it('ends a session beyond the cap with its events, naming the ended ones', async () => {
    const u = await store.createUser(user())
    const old = session(u.id, { lastRefreshAt: 1000 })
    await store.createSession(old, 'old')
    const fresh = session(u.id, { createdAt: 2000, lastRefreshAt: 2000 })
    const ended = await store.createSession(fresh, 'fresh', { ...live, max: 1 }, (ids) =>
      ids.map((id) => event({ type: 'session.revoked', session: id, actor: 'session_cap' })),
    )
    expect(ended).toEqual([old.id])
    expect((await all()).map((e) => e.session)).toEqual([old.id])
  })

  it('pages newest first by (time, id), filtered by user and type', async () => {
    const batch: AuditEvent[] = []
    for (let i = 0; i < 7; i++) {
      const type: AuditEventType = i % 2 ? 'login.failed' : 'login.succeeded'
      batch.push(event({ time: 1000 + Math.floor(i / 3), type, user: i < 5 ? 'u1' : 'u2' }))
    }
    await store.recordEvents(batch)
    const newestFirst = [...batch].sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : -1))
    const pages: string[][] = []
    let before: { time: number; id: string } | undefined
    for (;;) {
      const page = await store.listEvents({ limit: 3, ...(before && { before }) })
      if (page.length === 0) break
      pages.push(page.map((e) => e.id))
      const last = page.at(-1)!
      before = { time: last.time, id: last.id }
    }
    expect(pages.flat()).toEqual(newestFirst.map((e) => e.id))
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1])
    const u1 = await store.listEvents({ limit: 200, user: 'u1', type: 'login.failed' })
    expect(u1.map((e) => e.id)).toEqual(
      newestFirst.filter((e) => e.user === 'u1' && e.type === 'login.failed').map((e) => e.id),
    )
    // A time alone: everything strictly older.
    expect((await store.listEvents({ limit: 200, before: { time: 1002, id: null } })).length).toBe(6)
  })

  it('prunes events older than the retention, oldest first, at most `limit` at a time; never with the sessions', async () => {
    await store.recordEvents([
      event({ time: 1000 }),
      event({ time: 2000 }),
      event({ time: 5000 }),
      event({ time: 9000 }),
    ])
    await store.prune(100)
    expect((await all()).length).toBe(4)
    expect(await store.pruneEvents(5000, 1)).toBe(1)
    expect((await all()).map((e) => e.time)).toEqual([9000, 5000, 2000])
    expect(await store.pruneEvents(5000)).toBe(1)
    expect((await all()).map((e) => e.time)).toEqual([9000, 5000])
  })
})
