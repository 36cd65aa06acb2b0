import { beforeEach, describe, expect, it } from 'vitest'
import { createSqliteStore } from '../node/store/sqlite.js'
import { createMemoryStore } from '../store/memory.js'
import type { Store } from '../store/types.js'
import {
  claimsOf,
  expectCode,
  refreshCookie,
  type TestServer,
  type TokenBody,
  testServer,
} from '../test/harness.js'
import { isolatedPostgresStore, skipWithout } from '../test/services.js'

// Sessions as refresh-token families, through POST /auth/refresh: rotation, the reuse interval, theft
// detection, parallel refreshes, idle and absolute timeouts.

/** Refreshes with the body transport and expects a 200 token response. */
async function refreshed(s: TestServer, refreshToken: string) {
  const res = await s.refresh(refreshToken)
  expect(res.status).toBe(200)
  const body = (await res.json()) as TokenBody
  expect(body.refresh_token).toBeDefined()
  return body
}

describe('rotation and reuse', () => {
  it('each refresh returns a new refresh token and access token in the same session', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    s.clock.advance(60)
    const r1 = await refreshed(s, t.refresh_token!)
    expect(r1.refresh_token).not.toBe(t.refresh_token)
    expect(r1.access_token).not.toBe(t.access_token)
    expect(r1.session.id).toBe(t.session.id)
    expect(r1).toMatchObject({ token_type: 'Bearer', expires_in: 300, user: t.user, user_enabled: true })
    expect(r1.session).toEqual({ id: t.session.id, idle_expires_in: 1800, absolute_expires_in: 43140 })
    expect(claimsOf(r1.access_token).sid).toBe(t.session.id)
    expect((await s.bearer(r1.access_token)).status).toBe(200)
    const r2 = await refreshed(s, r1.refresh_token!)
    expect(new Set([t.refresh_token, r1.refresh_token, r2.refresh_token]).size).toBe(3)
  })

  it('a used token presented after the reuse interval: 401 refresh_token_reused, and the whole family dies', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    const bob = await s.login('bob')
    s.clock.advance(1)
    const r1 = await refreshed(s, t.refresh_token!)
    s.clock.advance(11)
    const reused = await s.refresh(t.refresh_token!)
    await expectCode(reused, 401, 'refresh_token_reused')
    expect(reused.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"')
    // The thief's newest token and access token, and the original access token, are all dead.
    await expectCode(await s.refresh(r1.refresh_token!), 401, 'session_revoked')
    await expectCode(await s.bearer(r1.access_token), 401, 'session_revoked')
    await expectCode(await s.bearer(t.access_token), 401, 'session_revoked')
    expect(await s.liveSessions(t.user.id)).toEqual([])
    // Other families are not touched.
    expect((await s.bearer(bob.access_token)).status).toBe(200)
    expect((await s.refresh(bob.refresh_token!)).status).toBe(200)
  })

  it('within the reuse interval a used token is accepted once more; a third presentation kills the family', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    const r1 = await refreshed(s, t.refresh_token!)
    s.clock.advance(5)
    const retry = await refreshed(s, t.refresh_token!)
    expect(retry.refresh_token).not.toBe(r1.refresh_token)
    expect(retry.session.id).toBe(t.session.id)
    expect((await s.bearer(retry.access_token)).status).toBe(200)
    s.clock.advance(1)
    await expectCode(await s.refresh(t.refresh_token!), 401, 'refresh_token_reused')
    for (const r of [r1, retry]) {
      expect((await s.refresh(r.refresh_token!)).status).toBe(401)
      await expectCode(await s.bearer(r.access_token), 401, 'session_revoked')
    }
    expect(await s.liveSessions(t.user.id)).toEqual([])
  })

  it('the retry’s token carries the session on (a client whose response was lost)', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    await refreshed(s, t.refresh_token!) // the response the client never saw
    s.clock.advance(3)
    const retry = await refreshed(s, t.refresh_token!)
    s.clock.advance(60)
    const next = await refreshed(s, retry.refresh_token!)
    expect(next.session.id).toBe(t.session.id)
    expect((await s.liveSessions(t.user.id)).map((x) => x.id)).toEqual([t.session.id])
  })

  it('with a reuse interval of 0, any second presentation is reuse', async () => {
    const s = await testServer({ config: { reuseInterval: 0 } })
    const t = await s.login('alice')
    s.clock.advance(1)
    const r1 = await refreshed(s, t.refresh_token!)
    s.clock.advance(1)
    await expectCode(await s.refresh(t.refresh_token!), 401, 'refresh_token_reused')
    expect((await s.refresh(r1.refresh_token!)).status).toBe(401)
  })

  it('cookie transport: the cookie is rotated, never put in the body, and cleared when refused', async () => {
    const s = await testServer()
    const res = await s.json('POST', '/auth/login', { username: 'alice', password: 'alice-password' })
    const first = refreshCookie(res)!
    expect(first).toBeTruthy()
    const r1 = await s.json('POST', '/auth/refresh', undefined, { cookie: `leash_refresh=${first}` })
    expect(r1.status).toBe(200)
    const second = refreshCookie(r1)!
    expect(second).toBeTruthy()
    expect(second).not.toBe(first)
    const body = (await r1.json()) as TokenBody
    expect(body.refresh_token).toBeUndefined()
    expect(JSON.stringify(body)).not.toContain(second)
    expect((await s.bearer(body.access_token)).status).toBe(200)

    s.clock.advance(11)
    const reused = await s.json('POST', '/auth/refresh', undefined, { cookie: `leash_refresh=${first}` })
    await expectCode(reused, 401, 'refresh_token_reused')
    expect(reused.headers.getSetCookie().join('\n')).toMatch(/^leash_refresh=;.*Max-Age=0/m)
    expect(
      (await s.json('POST', '/auth/refresh', undefined, { cookie: `leash_refresh=${second}` })).status,
    ).toBe(401)
  })

  it('401 invalid_refresh_token for an unknown token, or none', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    for (const token of ['x'.repeat(43), `${t.refresh_token}x`, t.access_token]) {
      const res = await s.refresh(token)
      await expectCode(res, 401, 'invalid_refresh_token')
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"')
    }
    await expectCode(await s.json('POST', '/auth/refresh'), 401, 'invalid_refresh_token')
    await expectCode(await s.json('POST', '/auth/refresh', {}), 401, 'invalid_refresh_token')
    await expectCode(
      await s.json('POST', '/auth/refresh', undefined, { cookie: 'leash_refresh=nope' }),
      401,
      'invalid_refresh_token',
    )
    // None of that touched alice's session.
    expect((await s.refresh(t.refresh_token!)).status).toBe(200)
  })

  it('403 user_disabled with user_enabled:false for a disabled user', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    const root = await s.login('root')
    expect((await s.bearer(root.access_token, 'POST', `/admin/users/${t.user.id}/disable`)).status).toBe(200)
    const res = await s.refresh(t.refresh_token!)
    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ error: { code: 'user_disabled' }, user_enabled: false })
  })
})

describe('one live refresh token per family', () => {
  it('a retry revokes the unused child it replaces: the child is reuse, never a second chain', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    const child = await refreshed(s, t.refresh_token!) // the response the client lost (or a thief holds)
    s.clock.advance(2)
    const retry = await refreshed(s, t.refresh_token!)
    // Presenting the revoked child is theft: the family ends, the retry's chain with it.
    await expectCode(await s.refresh(child.refresh_token!), 401, 'refresh_token_reused')
    await expectCode(await s.refresh(retry.refresh_token!), 401, 'session_revoked')
    await expectCode(await s.bearer(retry.access_token), 401, 'session_revoked')
    expect(await s.liveSessions(t.user.id)).toEqual([])
  })

  it('after a retry, only the new child carries the session on', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    await refreshed(s, t.refresh_token!)
    s.clock.advance(2)
    const retry = await refreshed(s, t.refresh_token!)
    s.clock.advance(30)
    const next = await refreshed(s, retry.refresh_token!)
    expect((await s.bearer(next.access_token)).status).toBe(200)
    expect((await s.liveSessions(t.user.id)).map((x) => x.id)).toEqual([t.session.id])
  })

  it('a grandparent presented within the reuse interval is reuse, not a retry', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    const child = await refreshed(s, t.refresh_token!)
    s.clock.advance(1)
    const grandchild = await refreshed(s, child.refresh_token!)
    s.clock.advance(1) // well within the 10 s interval of both uses
    await expectCode(await s.refresh(t.refresh_token!), 401, 'refresh_token_reused')
    await expectCode(await s.refresh(grandchild.refresh_token!), 401, 'session_revoked')
    expect(await s.liveSessions(t.user.id)).toEqual([])
  })

  it('no retry once the child was used, even within the interval', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    const child = await refreshed(s, t.refresh_token!)
    s.clock.advance(1)
    const grandchild = await refreshed(s, child.refresh_token!)
    s.clock.advance(1)
    // The child's own retry would be allowed (its child is unused); the parent's is not.
    await expectCode(await s.refresh(t.refresh_token!), 401, 'refresh_token_reused')
    await expectCode(await s.bearer(grandchild.access_token), 401, 'session_revoked')
  })

  it('the previous token may be retried once; the token before it never', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    const child = await refreshed(s, t.refresh_token!)
    s.clock.advance(1)
    await refreshed(s, child.refresh_token!) // grandchild, lost
    s.clock.advance(1)
    const retry = await refreshed(s, child.refresh_token!) // the child's one retry
    s.clock.advance(1)
    await expectCode(await s.refresh(child.refresh_token!), 401, 'refresh_token_reused')
    await expectCode(await s.bearer(retry.access_token), 401, 'session_revoked')
  })

  it('logout with a stale refresh token is reuse: the family ends and no farewell token is given', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    const child = await refreshed(s, t.refresh_token!)
    s.clock.advance(1)
    await refreshed(s, child.refresh_token!)
    s.clock.advance(60)
    await expectCode(
      await s.json('POST', '/auth/logout', { refresh_token: t.refresh_token }),
      401,
      'refresh_token_reused',
    )
    expect(await s.liveSessions(t.user.id)).toEqual([])
  })
})

// Every store, PostgreSQL too when a database is given: there the presentations really run at once, on
// separate connections.
const stores: Array<[string, () => Store]> = [
  ['memory', createMemoryStore],
  ['sqlite', () => createSqliteStore(':memory:')],
]
const noPostgres = skipWithout(['database'], 'parallel refreshes on PostgreSQL')
if (!noPostgres) stores.push(['postgres', isolatedPostgresStore])

describe.each(stores)('parallel refreshes of one token (%s store)', (_name, makeStore) => {
  let store: Store
  beforeEach(() => {
    store = makeStore()
    return () => store.close()
  })

  it.each([2, 3, 8])(
    '%i at once: only 200/401, and the family is left with at most one live token',
    async (n) => {
      const s = await testServer({ store })
      const t = await s.login('alice')
      const other = await s.login('bob')
      const responses = await Promise.all(Array.from({ length: n }, () => s.refresh(t.refresh_token!)))
      for (const r of responses) expect([200, 401]).toContain(r.status)
      const ok = await Promise.all(
        responses.filter((r) => r.status === 200).map((r) => r.json() as Promise<TokenBody>),
      )
      // One rotation and its one retry; a third presentation is reuse and ends the family.
      expect(ok).toHaveLength(2)
      const live = await s.liveSessions(t.user.id)
      expect(live.map((x) => x.id)).toEqual(n === 2 ? [t.session.id] : [])
      // However the presentations interleaved, at most one of the tokens handed out is the family's.
      const families = await Promise.all(
        ok.map(async (b) => store.findRefreshFamily(await s.codec.hashRefreshToken(b.refresh_token!))),
      )
      const hashes = await Promise.all(ok.map((b) => s.codec.hashRefreshToken(b.refresh_token!)))
      const current = hashes.filter((h, i) => families[i]?.family.current === h)
      expect(current).toHaveLength(n === 2 ? 1 : 0)
      if (n === 2) {
        // The live one carries on; the revoked one is reuse and ends the family.
        const [liveToken] = ok.filter((_, i) => hashes[i] === current[0])
        const [revoked] = ok.filter((_, i) => hashes[i] !== current[0])
        expect((await s.refresh(liveToken!.refresh_token!)).status).toBe(200)
        await expectCode(await s.refresh(revoked!.refresh_token!), 401, 'refresh_token_reused')
      }
      expect((await s.bearer(other.access_token)).status).toBe(200)
    },
  )
})

describe('timeouts', () => {
  it('idle: 401 session_expired once the idle timeout has passed since the last refresh', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    s.clock.advance(1801)
    await expectCode(await s.refresh(t.refresh_token!), 401, 'session_expired')
    await expectCode(await s.refresh(t.refresh_token!), 401, 'session_expired')
    expect(await s.liveSessions(t.user.id)).toEqual([])
  })

  it('idle: expired at the deadline itself, alive a second before', async () => {
    const s = await testServer()
    const a = await s.login('alice')
    const b = await s.login('alice')
    s.clock.advance(1799)
    expect((await s.refresh(a.refresh_token!)).status).toBe(200)
    s.clock.advance(1)
    await expectCode(await s.refresh(b.refresh_token!), 401, 'session_expired')
  })

  it('idle: a refresh before the deadline carries the session past the original deadline', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    s.clock.advance(1700)
    const r1 = await refreshed(s, t.refresh_token!)
    expect(r1.session.idle_expires_in).toBe(1800)
    s.clock.advance(1700) // 3400 s after login, well past the first idle deadline
    const r2 = await refreshed(s, r1.refresh_token!)
    expect((await s.bearer(r2.access_token)).status).toBe(200)
    expect(r2.session).toMatchObject({ idle_expires_in: 1800, absolute_expires_in: 43200 - 3400 })
    s.clock.advance(1801)
    await expectCode(await s.refresh(r2.refresh_token!), 401, 'session_expired')
  })

  it('absolute: refreshing every 25 minutes keeps it alive only until 43200 s after login', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    const loginIat = claimsOf(t.access_token).iat as number
    let token = t.refresh_token!
    let elapsed = 0
    while (elapsed + 1500 < 43200) {
      s.clock.advance(1500)
      elapsed += 1500
      const r = await refreshed(s, token)
      expect(r.session.absolute_expires_in).toBe(43200 - elapsed)
      expect(r.expires_in).toBe(300)
      token = r.refresh_token!
    }
    expect(elapsed).toBe(42000)
    s.clock.advance(1000) // 200 s before the absolute end
    const last = await refreshed(s, token)
    expect(last.session.absolute_expires_in).toBe(200)
    // The access token never outlives the session.
    expect(last.expires_in).toBe(200)
    expect(claimsOf(last.access_token).exp).toBe(loginIat + 43200)
    s.clock.advance(199)
    expect((await s.bearer(last.access_token)).status).toBe(200)
    s.clock.advance(1)
    await expectCode(await s.bearer(last.access_token), 401, 'token_expired')
    await expectCode(await s.refresh(last.refresh_token!), 401, 'session_expired')
    expect(await s.liveSessions(t.user.id)).toEqual([])
  })

  it('an access token never outlives the idle or absolute end, whatever the TTL', async () => {
    const s = await testServer({ config: { accessTtl: 300, idleTimeout: 120, absoluteTimeout: 200 } })
    const t = await s.login('alice')
    expect(t.expires_in).toBe(120)
    const iat = claimsOf(t.access_token).iat as number
    expect(claimsOf(t.access_token).exp).toBe(iat + 120)
    s.clock.advance(100)
    const r = await refreshed(s, t.refresh_token!)
    expect(r.expires_in).toBe(100) // cut at the absolute end, 200 s after login
    expect(claimsOf(r.access_token).exp).toBe(iat + 200)
    expect(r.session).toMatchObject({ id: t.session.id, absolute_expires_in: 100 })
  })
})
