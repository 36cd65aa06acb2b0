import { MAX_LISTED_SESSIONS, type SessionsResponse } from '@leash/protocol'
import { describe, expect, it } from 'vitest'
import { expectCode, type TestServer, testServer } from '../test/harness.js'

// A user holds at most `maxSessions` (LEASH_MAX_SESSIONS, default and most: the 100 the list shows) live
// sessions: a sign-in beyond it ends the least recently used, so no session is live and hidden from the
// user's list.

const listed = async (s: TestServer, token: string) => {
  const res = await s.bearer(token, 'GET', '/auth/sessions')
  expect(res.status).toBe(200)
  return ((await res.json()) as SessionsResponse).sessions.map((x) => x.id)
}
const sid = (token: string) =>
  JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).sid

describe('the cap on live sessions per user', () => {
  it(`a sign-in beyond the default cap (${MAX_LISTED_SESSIONS}) ends the least recently used session`, async () => {
    const s = await testServer({ config: { ipRate: 10_000 } })
    const first = await s.login('alice')
    const others = []
    for (let i = 0; i < MAX_LISTED_SESSIONS; i++) {
      s.clock.advance(1)
      others.push(await s.login('alice'))
    }
    const newest = others.at(-1)!
    await expectCode(await s.bearer(first.access_token), 401, 'session_revoked')
    await expectCode(await s.refresh(first.refresh_token!), 401, 'session_revoked')
    const ids = await listed(s, newest.access_token)
    expect(ids).toHaveLength(MAX_LISTED_SESSIONS)
    expect(ids).not.toContain(sid(first.access_token))
    expect(new Set(ids)).toEqual(new Set(others.map((t) => sid(t.access_token))))
    expect(await s.liveSessions((await s.user('alice')).id)).toHaveLength(MAX_LISTED_SESSIONS)
    // The second oldest is still live, and refreshes.
    expect((await s.bearer(others[0]!.access_token)).status).toBe(200)
    expect((await s.refresh(others[0]!.refresh_token!)).status).toBe(200)
  })

  it('ends the one refreshed least recently, not the oldest, and drops it from the cache at once', async () => {
    const s = await testServer({ config: { maxSessions: 3 } })
    const a = await s.login('alice')
    s.clock.advance(1)
    const b = await s.login('alice')
    s.clock.advance(1)
    const c = await s.login('alice')
    s.clock.advance(1)
    const refreshed = await s.refresh(a.refresh_token!)
    expect(refreshed.status).toBe(200)
    const a2 = (await refreshed.json()) as { access_token: string; refresh_token: string }
    // b's session is read (and cached) now; the sign-in that ends it happens within the cache's 5 s.
    expect((await s.bearer(b.access_token)).status).toBe(200)
    const d = await s.login('alice')
    await expectCode(await s.bearer(b.access_token), 401, 'session_revoked')
    await expectCode(await s.refresh(b.refresh_token!), 401, 'session_revoked')
    expect(await listed(s, d.access_token)).toEqual([d, c, a2].map((t) => sid(t.access_token)))
    // Another user's sessions do not count.
    const bob = await s.login('bob')
    expect((await s.bearer(c.access_token)).status).toBe(200)
    expect(await listed(s, bob.access_token)).toEqual([sid(bob.access_token)])
  })
})
