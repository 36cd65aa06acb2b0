import { describe, expect, it } from 'vitest'
import { claimsOf, expectCode, type TestServer, type TokenBody, testServer } from '../test/harness.js'

// /auth/*: register, login (token response, refresh transports, credentials, rate limit), password change,
// me, logout and logout-all, as the protocol's endpoint table says.

const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43,}$/

/** The attributes of the one leash_refresh Set-Cookie line: name=value, then each attribute. */
function cookieParts(res: Response) {
  const lines = res.headers.getSetCookie().filter((l) => l.startsWith('leash_refresh='))
  expect(lines).toHaveLength(1)
  const [pair, ...attributes] = lines[0]!.split(';').map((p) => p.trim())
  return { value: pair!.slice('leash_refresh='.length), attributes }
}

const login = (s: TestServer, body: Record<string, unknown>, ip = '10.0.0.1') =>
  s.json('POST', '/auth/login', body, { 'x-test-ip': ip })

const disable = async (s: TestServer, username: string) => {
  const root = await s.login('root')
  const user = await s.user(username)
  expect((await s.bearer(root.access_token, 'POST', `/admin/users/${user.id}/disable`)).status).toBe(200)
}

describe('POST /auth/register', () => {
  it('201 {user}, and the new user can sign in', async () => {
    const s = await testServer()
    const res = await s.json('POST', '/auth/register', { username: 'carol', password: 'carol-password' })
    expect(res.status).toBe(201)
    const body = (await res.json()) as { user: { id: string } }
    const user = { id: expect.any(String), username: 'carol', role: 'user' }
    expect(body).toEqual({ user })
    expect((await s.user('carol')).id).toBe(body.user.id)
    expect((await s.login('carol')).user).toEqual({ ...user, id: body.user.id })
  })

  it('409 username_taken, whatever the case', async () => {
    const s = await testServer()
    const before = (await s.store.listUsers()).length
    for (const username of ['alice', 'ALICE', 'Alice', 'root']) {
      const res = await s.json('POST', '/auth/register', { username, password: 'another-password' })
      await expectCode(res, 409, 'username_taken')
    }
    expect((await s.store.listUsers()).length).toBe(before)
    // alice's password did not change.
    expect((await s.login('alice')).user.username).toBe('alice')
    expect(
      (await s.json('POST', '/auth/register', { username: 'Dave', password: 'dave-password' })).status,
    ).toBe(201)
    await expectCode(
      await s.json('POST', '/auth/register', { username: 'dave', password: 'dave-password-2' }),
      409,
      'username_taken',
    )
  })

  it('403 registration_closed when registration is off, and no user is created', async () => {
    const s = await testServer({ config: { allowRegistration: false } })
    const res = await s.json('POST', '/auth/register', { username: 'carol', password: 'carol-password' })
    await expectCode(res, 403, 'registration_closed')
    expect(await s.store.findUserByUsername('carol')).toBeNull()
    expect((await s.login('alice')).user.username).toBe('alice')
  })
})

describe('POST /auth/login', () => {
  it('200 token response with cookie transport by default: refresh token in an HttpOnly cookie only', async () => {
    const s = await testServer()
    for (const body of [
      { username: 'alice', password: 'alice-password' },
      { username: 'alice', password: 'alice-password', refresh_transport: 'cookie' },
    ]) {
      const res = await login(s, body)
      expect(res.status).toBe(200)
      expect(res.headers.get('cache-control')).toBe('no-store')
      const json = (await res.json()) as TokenBody
      const alice = await s.user('alice')
      expect(json).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 300,
        session: { id: expect.any(String), idle_expires_in: 1800, absolute_expires_in: 43200 },
        user: { id: alice.id, username: 'alice', role: 'user' },
        user_enabled: true,
      })
      const cookie = cookieParts(res)
      expect(cookie.value).toMatch(REFRESH_TOKEN)
      expect(cookie.attributes).toEqual(
        expect.arrayContaining(['Path=/auth', 'HttpOnly', 'SameSite=Strict', 'Max-Age=43200']),
      )
      expect(cookie.attributes).not.toContain('Secure')
      expect(JSON.stringify(json)).not.toContain(cookie.value)
    }
  })

  it('body transport: the refresh token in the body, no Set-Cookie', async () => {
    const s = await testServer()
    const res = await login(s, { username: 'alice', password: 'alice-password', refresh_transport: 'body' })
    expect(res.status).toBe(200)
    expect(res.headers.get('set-cookie')).toBeNull()
    const json = (await res.json()) as TokenBody
    expect(Object.keys(json).sort()).toEqual(
      ['access_token', 'expires_in', 'refresh_token', 'session', 'token_type', 'user', 'user_enabled'].sort(),
    )
    expect(json.refresh_token).toMatch(REFRESH_TOKEN)
    expect(json).toMatchObject({ token_type: 'Bearer', expires_in: 300, user_enabled: true })
    expect(json.session).toEqual({
      id: expect.any(String),
      idle_expires_in: 1800,
      absolute_expires_in: 43200,
    })
  })

  it('the cookie is Secure when secureCookies is on', async () => {
    const s = await testServer({ config: { secureCookies: true } })
    const res = await login(s, { username: 'alice', password: 'alice-password' })
    expect(res.status).toBe(200)
    expect(cookieParts(res).attributes).toEqual(
      expect.arrayContaining(['Secure', 'HttpOnly', 'SameSite=Strict', 'Path=/auth']),
    )
  })

  it('the access token is an HS256 JWT naming its key, with the protocol’s claims', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    const header = JSON.parse(Buffer.from(t.access_token.split('.')[0]!, 'base64url').toString())
    // The one-key form's key is `default`.
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'default' })
    const claims = claimsOf(t.access_token)
    expect(Object.keys(claims).sort()).toEqual([
      'aud',
      'auth_time',
      'exp',
      'iat',
      'iss',
      'jti',
      'role',
      'sid',
      'sub',
      'sub_mac',
    ])
    expect(claims).toMatchObject({
      iss: 'leash',
      aud: 'leash',
      sub: t.user.id,
      sid: t.session.id,
      role: 'user',
    })
    expect(claims.iat).toBe(s.clock.now() / 1000)
    expect(claims.auth_time).toBe(claims.iat) // the sign-in is now
    expect(claims.exp).toBe((claims.iat as number) + 300)
  })

  it('401 invalid_credentials, the same for an unknown user as for a wrong password', async () => {
    const s = await testServer()
    const unknown = await login(s, { username: 'mallory', password: 'alice-password' })
    const wrong = await login(s, { username: 'alice', password: 'wrong-password' })
    expect(unknown.status).toBe(401)
    expect(wrong.status).toBe(unknown.status)
    expect(wrong.headers.get('www-authenticate')).toBe(unknown.headers.get('www-authenticate'))
    expect(wrong.headers.get('set-cookie')).toBeNull()
    const [a, b] = [await unknown.text(), await wrong.text()]
    expect(a).toBe(b)
    expect(JSON.parse(a).error.code).toBe('invalid_credentials')
  })

  it('403 user_disabled with user_enabled:false for a disabled user with the right password (401 with a wrong one)', async () => {
    const s = await testServer()
    await disable(s, 'alice')
    const res = await login(s, { username: 'alice', password: 'alice-password' })
    expect(res.status).toBe(403)
    expect(res.headers.get('set-cookie')).toBeNull()
    expect(await res.json()).toMatchObject({ error: { code: 'user_disabled' }, user_enabled: false })
    await expectCode(await login(s, { username: 'alice', password: 'nope-nope' }), 401, 'invalid_credentials')
  })

  describe('rate limit', () => {
    const wrong = { username: 'alice', password: 'wrong-password' }
    const right = { username: 'alice', password: 'alice-password' }

    it('429 rate_limited with Retry-After after loginRate failures per username+IP; the window passes', async () => {
      const s = await testServer({ config: { loginRate: 3 } })
      for (let i = 0; i < 3; i++) await expectCode(await login(s, wrong), 401, 'invalid_credentials')
      const limited = await login(s, right)
      await expectCode(limited, 429, 'rate_limited')
      expect(limited.headers.get('retry-after')).toBe('60')
      // Still limited while the window lasts, even for the right password; Retry-After counts down.
      s.clock.advance(59)
      const later = await login(s, right)
      await expectCode(later, 429, 'rate_limited')
      expect(later.headers.get('retry-after')).toBe('1')
      // Same username in another case: the same key.
      await expectCode(await login(s, { ...right, username: 'ALICE' }), 429, 'rate_limited')
      s.clock.advance(1)
      expect((await login(s, right)).status).toBe(200)
    })

    it('another IP, or another username from the same IP, is not affected', async () => {
      const s = await testServer({ config: { loginRate: 3 } })
      for (let i = 0; i < 3; i++) await login(s, wrong, '10.0.0.1')
      await expectCode(await login(s, right, '10.0.0.1'), 429, 'rate_limited')
      expect((await login(s, right, '10.0.0.2')).status).toBe(200)
      await expectCode(await login(s, wrong, '10.0.0.2'), 401, 'invalid_credentials')
      expect((await login(s, { username: 'bob', password: 'bob-password' }, '10.0.0.1')).status).toBe(200)
    })

    it('counts unknown usernames too, and a success resets the count', async () => {
      const s = await testServer({ config: { loginRate: 3 } })
      const ghost = { username: 'ghost', password: 'whatever-pass' }
      for (let i = 0; i < 3; i++) await expectCode(await login(s, ghost), 401, 'invalid_credentials')
      await expectCode(await login(s, ghost), 429, 'rate_limited')

      for (let i = 0; i < 2; i++) await login(s, wrong)
      expect((await login(s, right)).status).toBe(200)
      for (let i = 0; i < 2; i++) await expectCode(await login(s, wrong), 401, 'invalid_credentials')
      expect((await login(s, right)).status).toBe(200)
    })

    it('defaults to 10 failures a minute', async () => {
      const s = await testServer()
      for (let i = 0; i < 10; i++) await expectCode(await login(s, wrong), 401, 'invalid_credentials')
      await expectCode(await login(s, wrong), 429, 'rate_limited')
    })
  })
})

describe('POST /auth/password', () => {
  const change = (s: TestServer, token: string, current: string, next = 'alice-new-password') =>
    s.bearer(token, 'POST', '/auth/password', { current_password: current, new_password: next })

  it('401 invalid_credentials for a wrong current password, and nothing changes', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    const res = await change(s, t.access_token, 'not-the-password')
    await expectCode(res, 401, 'invalid_credentials')
    expect((await s.bearer(t.access_token)).status).toBe(200)
    expect((await s.refresh(t.refresh_token!)).status).toBe(200)
    expect((await s.login('alice')).user.username).toBe('alice')
  })

  it('400 invalid_request for a new password that breaks the schema', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    await expectCode(await change(s, t.access_token, 'alice-password', 'short'), 400, 'invalid_request')
    expect((await s.bearer(t.access_token)).status).toBe(200)
  })

  it('200 token response for a new session; every older session and token dies; the new password works', async () => {
    const s = await testServer()
    const first = await s.login('alice')
    const second = await s.login('alice')
    const cookieLogin = await login(s, { username: 'alice', password: 'alice-password' })
    const cookie = cookieParts(cookieLogin).value
    const bob = await s.login('bob')

    const res = await change(s, first.access_token, 'alice-password')
    expect(res.status).toBe(200)
    const next = (await res.json()) as TokenBody
    expect(next).toMatchObject({ token_type: 'Bearer', expires_in: 300, user_enabled: true })
    expect(next.user).toEqual(first.user)
    expect(next.session).toEqual({
      id: expect.any(String),
      idle_expires_in: 1800,
      absolute_expires_in: 43200,
    })
    expect([first.session.id, second.session.id]).not.toContain(next.session.id)
    // The new session keeps the transport of the one that asked: body.
    expect(next.refresh_token).toMatch(REFRESH_TOKEN)

    for (const old of [first, second]) {
      // The user's `secret` was rotated: the old tokens no longer verify at all.
      await expectCode(await s.bearer(old.access_token), 401, 'invalid_token')
      await expectCode(await s.refresh(old.refresh_token!), 401, 'session_revoked')
    }
    const byCookie = await s.json('POST', '/auth/refresh', undefined, { cookie: `leash_refresh=${cookie}` })
    expect(byCookie.status).toBe(401)

    expect((await s.bearer(next.access_token)).status).toBe(200)
    expect((await s.refresh(next.refresh_token!)).status).toBe(200)
    expect((await s.liveSessions(next.user.id)).map((x) => x.id)).toEqual([next.session.id])

    await expectCode(
      await login(s, { username: 'alice', password: 'alice-password' }),
      401,
      'invalid_credentials',
    )
    expect((await login(s, { username: 'alice', password: 'alice-new-password' })).status).toBe(200)
    expect((await s.bearer(bob.access_token)).status).toBe(200)
  })
})

describe('GET /auth/me', () => {
  it('200 {user, session, user_enabled:true}, durations relative to now', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    const res = await s.bearer(t.access_token)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      user: { ...t.user, email: null, email_verified: false },
      session: { id: t.session.id, idle_expires_in: 1800, absolute_expires_in: 43200 },
      user_enabled: true,
    })
    s.clock.advance(100)
    expect(await (await s.bearer(t.access_token)).json()).toMatchObject({
      session: { id: t.session.id, idle_expires_in: 1700, absolute_expires_in: 43100 },
    })
  })
})

/** Checks a logout's farewell response (1-second token naming the session, cookie cleared); returns the token. */
async function farewell(res: Response, sessionId: string) {
  expect(res.status).toBe(200)
  const body = (await res.json()) as { access_token: string }
  expect(body).toEqual({
    access_token: expect.any(String),
    token_type: 'Bearer',
    expires_in: 1,
    user_enabled: true,
  })
  const claims = claimsOf(body.access_token)
  expect(claims.exp).toBe((claims.iat as number) + 1)
  expect(claims.sid).toBe(sessionId)
  const cleared = res.headers.getSetCookie().find((l) => l.startsWith('leash_refresh='))
  expect(cleared).toMatch(/^leash_refresh=;.*Max-Age=0/)
  return body.access_token
}

describe('POST /auth/logout', () => {
  const logout = (s: TestServer, body?: unknown, headers: Record<string, string> = {}) =>
    s.json('POST', '/auth/logout', body, headers)

  it('with the bearer: ends that session only; its access and refresh tokens die', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    const other = await s.login('alice')
    const token = await farewell(await s.bearer(t.access_token, 'POST', '/auth/logout'), t.session.id)
    await expectCode(await s.bearer(t.access_token), 401, 'session_revoked')
    await expectCode(await s.refresh(t.refresh_token!), 401, 'session_revoked')
    // The farewell token opens nothing.
    await expectCode(await s.bearer(token), 401, 'session_revoked')
    // Another session of the same user lives on.
    expect((await s.bearer(other.access_token)).status).toBe(200)
    expect((await s.refresh(other.refresh_token!)).status).toBe(200)
  })

  it('with only the refresh token, in the body', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    await farewell(await logout(s, { refresh_token: t.refresh_token }), t.session.id)
    await expectCode(await s.bearer(t.access_token), 401, 'session_revoked')
    expect((await s.refresh(t.refresh_token!)).status).toBe(401)
  })

  it('with only the refresh cookie', async () => {
    const s = await testServer()
    const res = await login(s, { username: 'alice', password: 'alice-password' })
    const t = (await res.json()) as TokenBody
    const cookie = `leash_refresh=${cookieParts(res).value}`
    await farewell(await logout(s, undefined, { cookie }), t.session.id)
    await expectCode(await s.bearer(t.access_token), 401, 'session_revoked')
    expect((await s.json('POST', '/auth/refresh', undefined, { cookie })).status).toBe(401)
  })

  it('an expired access token alone ends nothing (one leaked in a log cannot sign its user out)', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    s.clock.advance(301)
    await expectCode(await s.bearer(t.access_token, 'POST', '/auth/logout'), 401, 'token_expired')
    // the session lives on: its refresh token still refreshes
    expect((await s.refresh(t.refresh_token!)).status).toBe(200)
  })

  it('an expired access token with the refresh token: the refresh token’s session ends', async () => {
    const s = await testServer()
    const t = await s.login('alice')
    s.clock.advance(301)
    const out = await logout(
      s,
      { refresh_token: t.refresh_token },
      { authorization: `Bearer ${t.access_token}` },
    )
    await farewell(out, t.session.id)
    await expectCode(await s.refresh(t.refresh_token!), 401, 'session_revoked')
  })

  it('with a stale bearer of an ended session, the refresh cookie’s live session still ends', async () => {
    const s = await testServer()
    const old = await s.login('alice')
    await logout(s, { refresh_token: old.refresh_token })
    const res = await login(s, { username: 'alice', password: 'alice-password' })
    const current = (await res.json()) as TokenBody
    const cookie = `leash_refresh=${cookieParts(res).value}`
    const out = await logout(s, undefined, { cookie, authorization: `Bearer ${old.access_token}` })
    await farewell(out, current.session.id)
    expect(await s.liveSessions(current.user.id)).toEqual([])
  })

  it('401 with nothing, or when neither token names a live session', async () => {
    const s = await testServer()
    const nothing = await logout(s)
    await expectCode(nothing, 401, 'missing_token')
    expect(nothing.headers.get('www-authenticate')).toBe('Bearer error="invalid_request"')

    const t = await s.login('alice')
    expect((await s.bearer(t.access_token, 'POST', '/auth/logout')).status).toBe(200)
    const again = await s.bearer(t.access_token, 'POST', '/auth/logout')
    await expectCode(again, 401, 'session_revoked')
    expect(again.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"')
    expect((await logout(s, { refresh_token: t.refresh_token })).status).toBe(401)
    expect((await logout(s, { refresh_token: 'x'.repeat(43) })).status).toBe(401)
    expect((await logout(s, undefined, { cookie: 'leash_refresh=unknown' })).status).toBe(401)
    expect((await s.bearer('garbage', 'POST', '/auth/logout')).status).toBe(401)
  })
})

describe('POST /auth/logout-all', () => {
  it('every session of the user dies; other users are unaffected', async () => {
    const s = await testServer()
    const a1 = await s.login('alice')
    const a2 = await s.login('alice')
    const cookieRes = await login(s, { username: 'alice', password: 'alice-password' })
    const a3 = (await cookieRes.json()) as TokenBody
    const cookie = `leash_refresh=${cookieParts(cookieRes).value}`
    const bob = await s.login('bob')

    await farewell(await s.bearer(a1.access_token, 'POST', '/auth/logout-all'), a1.session.id)

    // The user's `secret` was rotated: every old token fails its signature check.
    for (const t of [a1, a2, a3]) await expectCode(await s.bearer(t.access_token), 401, 'invalid_token')
    for (const t of [a1, a2]) expect((await s.refresh(t.refresh_token!)).status).toBe(401)
    expect((await s.json('POST', '/auth/refresh', undefined, { cookie })).status).toBe(401)
    expect(await s.liveSessions(a1.user.id)).toEqual([])

    expect((await s.bearer(bob.access_token)).status).toBe(200)
    expect((await s.refresh(bob.refresh_token!)).status).toBe(200)
    expect((await s.bearer((await s.login('alice')).access_token)).status).toBe(200)
  })

  it('401 without a bearer token', async () => {
    const s = await testServer()
    await expectCode(await s.json('POST', '/auth/logout-all'), 401, 'missing_token')
  })
})

describe('response headers', () => {
  it('every /auth/* answer, errors and 413 included, is no-store and nosniff; other paths are not no-store', async () => {
    const s = await testServer()
    const answers = [
      await s.json('POST', '/auth/login', { username: 'alice', password: 'wrong-password' }),
      await s.bearer('not-a-token'),
      await s.json('POST', '/auth/register', { username: 'x'.repeat(20_000), password: 'p' }),
      await s.login('alice').then((t) => s.bearer(t.access_token)),
    ]
    expect(answers.map((r) => r.status)).toEqual([401, 401, 413, 200])
    for (const res of answers) {
      expect(res.headers.get('cache-control')).toBe('no-store')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    }
    const health = await s.app.request('/healthz')
    expect(health.headers.get('x-content-type-options')).toBe('nosniff')
    const notes = await s.login('bob').then((t) => s.bearer(t.access_token, 'GET', '/api/notes'))
    expect(notes.headers.get('cache-control')).toBeNull()
  })
})
