import { beforeEach, describe, expect, it } from 'vitest'
import { session, stores, user } from '../test/store-fixtures.js'
import type { Store } from './types.js'

// A session's sign-in time (`authTime`, the access token's `auth_time`), on every store: kept as created,
// never moved by a refresh, moved by `setAuthTime` (a step-up) with its events, and only on a live session.

const policy = { reuseIntervalMs: 10_000, idleTimeoutMs: 600_000 }

describe.each(stores)('%s store: the sign-in time', (_name, make) => {
  let store: Store
  beforeEach(async () => {
    store = make()
    return () => store.close()
  })

  it('is kept as created, and a refresh does not move it', async () => {
    const u = await store.createUser(user())
    const s = session(u.id, { createdAt: 1000, authTime: 1000 })
    await store.createSession(s, 'h1')
    expect(await store.findSession(s.id)).toEqual(s)
    const spent = await store.spendRefreshToken('h1', 'h2', 5000, policy, s.id)
    expect(spent).toMatchObject({ verdict: 'rotate', session: { lastRefreshAt: 5000, authTime: 1000 } })
    expect(
      (await store.listSessions(u.id, { now: 5000, idleTimeoutMs: 600_000, limit: 5 }))[0],
    ).toMatchObject({ authTime: 1000 })
  })

  it('setAuthTime moves it on a live session, with its events; an ended or unknown one is left alone', async () => {
    const u = await store.createUser(user())
    const live = session(u.id)
    const ended = session(u.id)
    await store.createSession(live, 'h-live')
    await store.createSession(ended, 'h-ended')
    await store.endSession(ended.id, 'logout', 2000)
    const event = (id: string, s: string) => ({
      id,
      time: 3000,
      type: 'session.reauthenticated' as const,
      version: 1,
      user: u.id,
      actor: u.id,
      session: s,
      address: null,
      user_agent: null,
      code: null,
    })
    expect(await store.setAuthTime(live.id, 3000, [event('e1', live.id)])).toEqual({
      ...live,
      authTime: 3000,
    })
    expect(await store.findSession(live.id)).toMatchObject({ authTime: 3000, lastRefreshAt: 1000 })
    expect(await store.setAuthTime(ended.id, 3000, [event('e2', ended.id)])).toBeNull()
    expect(await store.findSession(ended.id)).toMatchObject({ authTime: 1000 })
    expect(await store.setAuthTime('no-such-session', 3000)).toBeNull()
    expect((await store.listEvents({ limit: 10 })).map((e) => e.id)).toEqual(['e1'])
  })
})
