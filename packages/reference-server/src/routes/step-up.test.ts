import { describe, expect, it, onTestFinished } from 'vitest'
import type { ServerConfig } from '../config.js'
import { claimsOf, controlledHasher, type TestServer, type TokenBody, testServer } from '../test/harness.js'
import { stores } from '../test/store-fixtures.js'

// Step-up, on every store: access tokens carry the session's sign-in time (`auth_time`), which a refresh
// copies and `POST /auth/reauthenticate` moves to now; the sensitive built-in routes (password change,
// signing out another device, every admin change) take only a sign-in within `reauthMaxAge`.

const STRONG = 'correct horse battery staple 42'
const MAX_AGE = 600 // the default LEASH_REAUTH_MAX_AGE

const tokens = async (res: Response) => {
  expect(res.status, await res.clone().text()).toBe(200)
  return (await res.json()) as TokenBody
}

describe.each(stores)('step-up (%s store)', (_name, make) => {
  /** A server over a fresh store of this kind, closed after the test. */
  const server = async (config: Partial<ServerConfig> = {}) => {
    const store = make()
    onTestFinished(() => store.close())
    return testServer({ store, config })
  }
  /** Signs in, then lets `seconds` pass, refreshing as a client would: a live token of an old sign-in. */
  const signedInAgo = async (s: TestServer, username: string, seconds: number) => {
    let t = await s.login(username)
    for (let left = seconds; left > 0; left -= Math.min(left, 250)) {
      s.clock.advance(Math.min(left, 250))
      t = await tokens(await s.refresh(t.refresh_token!))
    }
    return t
  }
  const reauthenticate = (s: TestServer, t: TokenBody, password: string) =>
    s.bearer(t.access_token, 'POST', '/auth/reauthenticate', { password })
  const codeOf = async (res: Response) => ((await res.json()) as { error?: { code: string } }).error?.code

  it('auth_time: the sign-in at login, copied by every refresh, now after reauthenticate, in the same session', async () => {
    const s = await server()
    const signedInAt = s.clock.now() / 1000
    const login = await s.login('alice')
    expect(claimsOf(login.access_token).auth_time).toBe(signedInAt)
    const later = await signedInAgo(s, 'alice', 0)
    expect(claimsOf(later.access_token).auth_time).toBe(s.clock.now() / 1000)
    const old = await signedInAgo(s, 'alice', 900)
    expect(claimsOf(old.access_token).auth_time).toBe(signedInAt)
    expect(claimsOf(old.access_token).iat).toBe(signedInAt + 900)

    const stepped = await tokens(await reauthenticate(s, old, 'alice-password'))
    expect(claimsOf(stepped.access_token)).toMatchObject({
      auth_time: signedInAt + 900,
      sid: old.session.id,
      sub: old.user.id,
    })
    // The refresh token stays (none is sent back): the family goes on, and its next refresh keeps the step-up.
    expect(stepped.refresh_token).toBeUndefined()
    expect(stepped.session.id).toBe(old.session.id)
    s.clock.advance(100)
    const next = await tokens(await s.refresh(old.refresh_token!))
    expect(claimsOf(next.access_token).auth_time).toBe(signedInAt + 900)
    expect(await s.store.findSession(old.session.id)).toMatchObject({ authTime: (signedInAt + 900) * 1000 })
  })

  it('reauthenticate with a wrong password: 401 invalid_credentials, the sign-in time unchanged', async () => {
    const s = await server()
    const old = await signedInAgo(s, 'alice', 700)
    const res = await reauthenticate(s, old, 'wrong-password')
    expect(res.status).toBe(401)
    expect(await codeOf(res)).toBe('invalid_credentials')
    const session = await s.store.findSession(old.session.id)
    expect(session?.authTime).toBe(s.clock.now() - 700_000)
    await s.app.flushAudit()
    expect(await s.store.listEvents({ limit: 10, type: 'reauthentication.failed' })).toEqual([
      expect.objectContaining({ user: old.user.id, session: old.session.id, code: 'invalid_credentials' }),
    ])
  })

  it('password change: a stale sign-in is refused before the password is looked at; a fresh one changes it', async () => {
    const s = await server()
    const old = await signedInAgo(s, 'alice', MAX_AGE + 1)
    const change = (t: TokenBody, current: string) =>
      s.bearer(t.access_token, 'POST', '/auth/password', { current_password: current, new_password: STRONG })
    for (const current of ['alice-password', 'wrong-password']) {
      const refused = await change(old, current)
      expect(refused.status).toBe(401)
      expect(refused.headers.get('www-authenticate')).toBe(
        `Bearer error="insufficient_user_authentication", max_age=${MAX_AGE}`,
      )
      expect(await codeOf(refused)).toBe('reauthentication_required')
    }
    expect(
      (await s.json('POST', '/auth/login', { username: 'alice', password: 'alice-password' })).status,
    ).toBe(200)
    const fresh = await tokens(await reauthenticate(s, old, 'alice-password'))
    const changed = await tokens(await change(fresh, 'alice-password'))
    // The new session's sign-in is now: the password was just proved.
    expect(claimsOf(changed.access_token).auth_time).toBe(s.clock.now() / 1000)
    expect((await s.json('POST', '/auth/login', { username: 'alice', password: STRONG })).status).toBe(200)
  })

  it('at exactly the max age a sign-in is still recent; a second later it is not', async () => {
    const s = await server({ reauthMaxAge: 60 })
    const t = await s.login('alice')
    const other = await s.login('alice')
    s.clock.advance(60)
    const change = { current_password: 'wrong-password', new_password: STRONG }
    expect(await codeOf(await s.bearer(t.access_token, 'POST', '/auth/password', change))).toBe(
      'invalid_credentials',
    )
    s.clock.advance(1)
    const late = await s.bearer(t.access_token, 'DELETE', `/auth/sessions/${other.session.id}`)
    expect(late.headers.get('www-authenticate')).toContain('max_age=60')
    expect(await codeOf(late)).toBe('reauthentication_required')
  })

  it('signing out another device needs a recent sign-in; signing out this one, or everywhere, does not', async () => {
    const s = await server()
    const phone = await s.login('alice')
    const laptop = await signedInAgo(s, 'alice', MAX_AGE + 1)
    const revoke = (t: TokenBody, id: string) => s.bearer(t.access_token, 'DELETE', `/auth/sessions/${id}`)
    expect(await codeOf(await revoke(laptop, phone.session.id))).toBe('reauthentication_required')
    expect(await s.store.findSession(phone.session.id)).toMatchObject({ endedAt: null })
    const fresh = await tokens(await reauthenticate(s, laptop, 'alice-password'))
    expect((await revoke(fresh, phone.session.id)).status).toBe(200)
    expect(await s.store.findSession(phone.session.id)).toMatchObject({ endReason: 'revoked' })

    const tablet = await signedInAgo(s, 'alice', MAX_AGE + 1)
    expect((await revoke(tablet, tablet.session.id)).status).toBe(200)
    const desktop = await signedInAgo(s, 'alice', MAX_AGE + 1)
    expect((await s.bearer(desktop.access_token, 'POST', '/auth/logout-all')).status).toBe(200)
  })

  it('every admin change needs a recent sign-in, and changes nothing without one; the reads do not', async () => {
    const s = await server()
    const bob = await s.user('bob')
    const changes: Array<[string, string, unknown?]> = [
      ['POST', `/admin/users/${bob.id}/disable`],
      ['POST', `/admin/users/${bob.id}/enable`],
      ['POST', `/admin/users/${bob.id}/revoke`],
      ['PATCH', `/admin/users/${bob.id}`, { role: 'admin' }],
      ['POST', '/admin/revoke-all'],
    ]
    const old = await signedInAgo(s, 'root', MAX_AGE + 1)
    const bobSession = await s.login('bob')
    for (const [method, path, body] of changes) {
      const res = await s.bearer(old.access_token, method, path, body)
      expect(res.status, `${method} ${path}`).toBe(401)
      expect(await codeOf(res), `${method} ${path}`).toBe('reauthentication_required')
    }
    expect(await s.user('bob')).toEqual(bob)
    expect(await s.store.findSession(bobSession.session.id)).toMatchObject({ endedAt: null })
    expect((await s.bearer(old.access_token, 'GET', '/admin/users')).status).toBe(200)
    expect((await s.bearer(old.access_token, 'GET', '/admin/audit')).status).toBe(200)

    const fresh = await tokens(await reauthenticate(s, old, 'root-password'))
    for (const [method, path, body] of changes)
      expect((await s.bearer(fresh.access_token, method, path, body)).status, `${method} ${path}`).toBe(200)
    expect(await s.user('bob')).toMatchObject({ role: 'admin' })
  })

  it('a token without auth_time (signed before it existed) is never a recent sign-in', async () => {
    const s = await server()
    const root = await s.login('root')
    const { auth_time: _, ...claims } = claimsOf(root.access_token)
    const legacy = await s.sign(claims as never)
    const bob = await s.user('bob')
    expect(await codeOf(await s.bearer(legacy, 'POST', `/admin/users/${bob.id}/revoke`))).toBe(
      'reauthentication_required',
    )
    expect((await s.bearer(legacy, 'GET', '/admin/users')).status).toBe(200)
  })

  it('a session that ended cannot be stepped up', async () => {
    const s = await server()
    const t = await s.login('alice')
    await s.bearer(t.access_token, 'POST', '/auth/logout')
    expect(await codeOf(await reauthenticate(s, t, 'alice-password'))).toBe('session_revoked')
    expect(await s.store.setAuthTime(t.session.id, s.clock.now())).toBeNull()
  })
})

describe('reauthenticate is no password oracle for a stolen access token', () => {
  it('wrong passwords count per user, from any address, with the password change: then 429 without hashing', async () => {
    const gate = controlledHasher()
    const s = await testServer({ hasher: gate.hasher, config: { loginRate: 3, ipRate: 1_000 } })
    const t = await s.login('alice')
    const from = (ip: string, path: string, body: unknown) =>
      s.json('POST', path, body, { authorization: `Bearer ${t.access_token}`, 'x-test-ip': ip })
    const guess = (ip: string) => from(ip, '/auth/reauthenticate', { password: 'wrong-password' })
    expect((await guess('10.0.0.1')).status).toBe(401)
    expect((await guess('10.0.0.2')).status).toBe(401)
    const change = { current_password: 'wrong-password', new_password: STRONG }
    expect((await from('10.0.0.3', '/auth/password', change)).status).toBe(401)
    const before = gate.calls.verify
    const limited = await guess('10.0.0.4')
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    // the right password too, until the minute is over: the budget is spent before any hash runs
    expect((await from('10.0.0.5', '/auth/reauthenticate', { password: 'alice-password' })).status).toBe(429)
    expect(gate.calls.verify).toBe(before)
    s.clock.advance(61)
    expect((await from('10.0.0.5', '/auth/reauthenticate', { password: 'alice-password' })).status).toBe(200)
  })

  it('the address budget counts every try, as for login', async () => {
    const s = await testServer({ config: { ipRate: 2 } })
    const t = await s.login('alice', 'alice-password')
    const guess = () =>
      s.json(
        'POST',
        '/auth/reauthenticate',
        { password: 'alice-password' },
        { authorization: `Bearer ${t.access_token}`, 'x-test-ip': '10.9.9.9' },
      )
    expect((await guess()).status).toBe(200)
    expect((await guess()).status).toBe(200)
    expect((await guess()).status).toBe(429)
  })
})
