import type { RevokeSessionResponse, SessionsResponse } from '@leash/protocol'
import { describe, expect, it } from 'vitest'
import { expectCode, type TestServer, type TokenBody, testServer } from '../test/harness.js'

// GET /auth/sessions and DELETE /auth/sessions/:id: a user's signed-in devices, each of which the user can
// sign out. Only the caller's own live sessions are listed or ended; the rest is one 404.

const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Mobile/15E148'
const LAPTOP = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0'
const T0 = Date.UTC(2026, 0, 1)
const iso = (secondsAfterT0: number) => new Date(T0 + secondsAfterT0 * 1000).toISOString()

/** Signs in with the body transport from a device naming itself `userAgent` (none when undefined). */
async function signIn(s: TestServer, username: string, userAgent?: string) {
  const res = await s.json(
    'POST',
    '/auth/login',
    { username, password: `${username}-password`, refresh_transport: 'body' },
    userAgent === undefined ? {} : { 'user-agent': userAgent },
  )
  expect(res.status).toBe(200)
  return (await res.json()) as TokenBody
}

const list = async (s: TestServer, token: string) => {
  const res = await s.bearer(token, 'GET', '/auth/sessions')
  expect(res.status).toBe(200)
  return (await res.json()) as SessionsResponse
}
const revoke = (s: TestServer, token: string, id: string) => s.bearer(token, 'DELETE', `/auth/sessions/${id}`)

describe('GET /auth/sessions', () => {
  it("lists the caller's live sessions only, newest first, the current one flagged, with their user agents", async () => {
    const s = await testServer()
    const phone = await signIn(s, 'alice', PHONE)
    s.clock.advance(10)
    const laptop = await signIn(s, 'alice', LAPTOP)
    s.clock.advance(10)
    const bare = await signIn(s, 'alice')
    await signIn(s, 'bob', PHONE)
    s.clock.advance(10)
    const ended = await signIn(s, 'alice', 'Ended/1.0')
    expect((await s.bearer(ended.access_token, 'POST', '/auth/logout')).status).toBe(200)
    s.clock.advance(10)
    // The phone's refresh moves its last use; its creation stays.
    const refreshed = (await (await s.refresh(phone.refresh_token!)).json()) as TokenBody

    expect(await list(s, laptop.access_token)).toEqual({
      sessions: [
        { id: bare.session.id, current: false, created_at: iso(20), last_used_at: iso(20), user_agent: null },
        {
          id: laptop.session.id,
          current: true,
          created_at: iso(10),
          last_used_at: iso(10),
          user_agent: LAPTOP,
        },
        {
          id: phone.session.id,
          current: false,
          created_at: iso(0),
          last_used_at: iso(40),
          user_agent: PHONE,
        },
      ],
      user_enabled: true,
    })
    const fromPhone = await list(s, refreshed.access_token)
    expect(fromPhone.sessions.filter((x) => x.current).map((x) => x.id)).toEqual([phone.session.id])
  })

  it('leaves out sessions past their idle or absolute end, though nothing has ended them yet', async () => {
    const s = await testServer({ config: { idleTimeout: 600, absoluteTimeout: 3600 } })
    await signIn(s, 'alice', 'Idle/1.0')
    s.clock.advance(1)
    const kept = await signIn(s, 'alice', 'Kept/1.0')
    s.clock.advance(598)
    let current = (await (await s.refresh(kept.refresh_token!)).json()) as TokenBody
    const agents = async (token: string) => (await list(s, token)).sessions.map((x) => x.user_agent)
    expect(await agents(current.access_token)).toEqual(['Kept/1.0', 'Idle/1.0'])
    s.clock.advance(1) // 600 s since the idle one's last use
    expect(await agents(current.access_token)).toEqual(['Kept/1.0'])
    // Kept in use up to its absolute end, 3600 s after its sign-in.
    for (let i = 0; i < 6; i++) {
      s.clock.advance(500)
      current = (await (await s.refresh(current.refresh_token!)).json()) as TokenBody
    }
    expect(await agents(current.access_token)).toEqual(['Kept/1.0'])
    const late = await signIn(s, 'alice', 'Late/1.0')
    s.clock.advance(1)
    expect(await agents(late.access_token)).toEqual(['Late/1.0'])
  })

  it('keeps the User-Agent as sent, cut to 512 characters; a password change keeps the new request’s', async () => {
    const s = await testServer()
    const long = `Agent/${'x'.repeat(600)}`
    const t = await signIn(s, 'alice', long)
    expect((await list(s, t.access_token)).sessions[0]!.user_agent).toBe(long.slice(0, 512))
    const odd = '<script>alert(1)</script> "quoted" \\ é;'
    const changed = await s.json(
      'POST',
      '/auth/password',
      { current_password: 'alice-password', new_password: 'alice-password-2', refresh_transport: 'body' },
      { authorization: `Bearer ${t.access_token}`, 'user-agent': odd },
    )
    expect(changed.status).toBe(200)
    const after = (await changed.json()) as TokenBody
    // The change ended every older session; the new one is the only one, with the change's header as given.
    expect((await list(s, after.access_token)).sessions).toEqual([
      expect.objectContaining({ id: after.session.id, current: true, user_agent: odd }),
    ])
  })

  it('lists the newest 100 when there are more', async () => {
    const s = await testServer()
    const alice = await s.user('alice')
    for (let i = 0; i < 105; i++) {
      await s.store.createSession(
        {
          id: `s-${String(i).padStart(3, '0')}`,
          userId: alice.id,
          createdAt: T0 + i * 1000,
          lastRefreshAt: T0 + i * 1000,
          absoluteExpiresAt: T0 + 86_400_000,
          authTime: T0 + i * 1000,
          transport: 'body',
          userAgent: `Device/${i}`,
          endedAt: null,
          endReason: null,
        },
        `hash-${i}`,
      )
    }
    s.clock.advance(200)
    const t = await signIn(s, 'alice')
    const { sessions } = await list(s, t.access_token)
    expect(sessions).toHaveLength(100)
    expect(sessions[0]!.id).toBe(t.session.id)
    expect(sessions[1]!.user_agent).toBe('Device/104')
    expect(sessions.at(-1)!.user_agent).toBe('Device/6')
  })

  it('401 without a token, or with the token of an ended session', async () => {
    const s = await testServer()
    await expectCode(await s.app.request('/auth/sessions'), 401, 'missing_token')
    const t = await signIn(s, 'alice')
    await s.bearer(t.access_token, 'POST', '/auth/logout')
    await expectCode(await s.bearer(t.access_token, 'GET', '/auth/sessions'), 401, 'session_revoked')
  })
})

describe('DELETE /auth/sessions/:id', () => {
  it("ends another device's session: its access token answers session_revoked at once, its refresh token is refused", async () => {
    const s = await testServer()
    const phone = await signIn(s, 'alice', PHONE)
    const laptop = await signIn(s, 'alice', LAPTOP)
    // The phone's session is in the server's cache now: ending it must still take effect at the next request.
    expect((await s.bearer(phone.access_token)).status).toBe(200)

    const res = await revoke(s, laptop.access_token, phone.session.id)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      revoked: phone.session.id,
      current: false,
      user_enabled: true,
    } satisfies RevokeSessionResponse)
    expect(res.headers.get('cache-control')).toBe('no-store')

    await expectCode(await s.bearer(phone.access_token), 401, 'session_revoked')
    await expectCode(await s.bearer(phone.access_token, 'GET', '/api/notes'), 401, 'session_revoked')
    await expectCode(await s.refresh(phone.refresh_token!), 401, 'session_revoked')
    expect(await s.store.findSession(phone.session.id)).toMatchObject({ endReason: 'revoked' })
    // The caller's own session goes on.
    expect((await s.bearer(laptop.access_token)).status).toBe(200)
    expect((await s.refresh(laptop.refresh_token!)).status).toBe(200)
    expect((await list(s, laptop.access_token)).sessions.map((x) => x.id)).toEqual([laptop.session.id])
  })

  it('ends the current session too: the caller is signed out (200, current: true)', async () => {
    const s = await testServer()
    const other = await signIn(s, 'alice', PHONE)
    const t = await signIn(s, 'alice', LAPTOP)
    const res = await revoke(s, t.access_token, t.session.id)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ revoked: t.session.id, current: true, user_enabled: true })
    await expectCode(await s.bearer(t.access_token), 401, 'session_revoked')
    await expectCode(await revoke(s, t.access_token, other.session.id), 401, 'session_revoked')
    await expectCode(await s.refresh(t.refresh_token!), 401, 'session_revoked')
    expect((await s.bearer(other.access_token)).status).toBe(200)
  })

  it("404 session_not_found for another user's session, an unknown id, an ended or timed-out one: nothing changes", async () => {
    const s = await testServer({ config: { idleTimeout: 600 } })
    const bodies = new Set<string>()
    const refused = async (token: string, ids: string[]) => {
      for (const id of ids) {
        const res = await revoke(s, token, encodeURIComponent(id))
        expect(res.status, id).toBe(404)
        bodies.add(await res.text())
      }
    }
    const stale = await signIn(s, 'alice')
    s.clock.advance(300)
    const bob = await signIn(s, 'bob')
    const loggedOut = await signIn(s, 'alice')
    await s.bearer(loggedOut.access_token, 'POST', '/auth/logout')
    const revoked = await signIn(s, 'alice')
    const alice = await signIn(s, 'alice')
    expect((await revoke(s, alice.access_token, revoked.session.id)).status).toBe(200)
    await refused(alice.access_token, [
      bob.session.id,
      'no-such-session',
      `${alice.session.id}x`,
      loggedOut.session.id,
      revoked.session.id,
    ])
    expect((await s.bearer(bob.access_token)).status).toBe(200)
    s.clock.advance(300) // `stale` has reached its idle end, though nothing has ended it
    const now = await signIn(s, 'alice')
    await refused(now.access_token, [stale.session.id])
    // One body for all of them: another user's session cannot be told from one that does not exist.
    expect(bodies.size).toBe(1)
    expect(JSON.parse([...bodies][0]!).error.code).toBe('session_not_found')
    expect((await s.refresh(bob.refresh_token!)).status).toBe(200)
    expect(await s.store.findSession(loggedOut.session.id)).toMatchObject({ endReason: 'logout' })
    expect(await s.store.findSession(stale.session.id)).toMatchObject({ endedAt: null })
    expect((await s.bearer(now.access_token)).status).toBe(200)
  })

  it('404 session_not_found for an id holding NUL; the session it names goes on', async () => {
    const s = await testServer()
    const phone = await signIn(s, 'alice', PHONE)
    const t = await signIn(s, 'alice')
    for (const id of ['%00', `${phone.session.id}%00`, `%00${phone.session.id}`])
      await expectCode(await revoke(s, t.access_token, id), 404, 'session_not_found')
    expect((await s.bearer(phone.access_token)).status).toBe(200)
  })

  it('401 without a token, whatever the id; the session stays', async () => {
    const s = await testServer()
    const t = await signIn(s, 'alice')
    const res = await s.app.request(`/auth/sessions/${t.session.id}`, { method: 'DELETE' })
    await expectCode(res, 401, 'missing_token')
    await expectCode(
      await s.bearer('not.a-token', 'DELETE', `/auth/sessions/${t.session.id}`),
      401,
      'malformed_token',
    )
    expect((await s.bearer(t.access_token)).status).toBe(200)
  })
})
