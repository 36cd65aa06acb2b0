import { describe, expect, it } from 'vitest'
import {
  b64url,
  claimsOf,
  expectCode,
  forge,
  type TestServer,
  type TokenBody,
  testServer,
} from '../test/harness.js'

// /admin/*: only admins; list, disable, enable, revoke, change a role, revoke everyone; 404 for unknown ids.

async function setup() {
  const s = await testServer()
  const root = await s.login('root')
  const admin = (method: string, path: string, body?: unknown) =>
    s.bearer(root.access_token, method, path, body)
  return { s, root, admin }
}

/** Every way alice's session can be used: her access token and her refresh token. */
async function expectDead(
  s: TestServer,
  t: TokenBody,
  accessCode = 'invalid_token',
  refreshCode = 'session_revoked',
) {
  await expectCode(await s.bearer(t.access_token), 401, accessCode)
  await expectCode(await s.refresh(t.refresh_token!), 401, refreshCode)
}

async function expectAlive(s: TestServer, t: TokenBody) {
  expect((await s.bearer(t.access_token)).status).toBe(200)
  const r = await s.refresh(t.refresh_token!)
  expect(r.status).toBe(200)
  return (await r.json()) as TokenBody
}

const loginRes = (s: TestServer, username: string) =>
  s.json('POST', '/auth/login', { username, password: `${username}-password`, refresh_transport: 'body' })

describe('access', () => {
  it('403 forbidden for a non-admin on every admin endpoint, and nothing changes', async () => {
    const { s } = await setup()
    const alice = await s.login('alice')
    const bob = await s.login('bob')
    for (const [method, path, body] of [
      ['GET', '/admin/users'],
      ['POST', `/admin/users/${bob.user.id}/disable`],
      ['POST', `/admin/users/${bob.user.id}/enable`],
      ['POST', `/admin/users/${bob.user.id}/revoke`],
      ['PATCH', `/admin/users/${alice.user.id}`, { role: 'admin' }],
      ['POST', '/admin/revoke-all'],
    ] as Array<[string, string, unknown?]>) {
      await expectCode(await s.bearer(alice.access_token, method, path, body), 403, 'forbidden')
    }
    await expectAlive(s, bob)
    expect((await s.user('alice')).role).toBe('user')
  })

  it('the role comes from the user record, not the token: a validly signed role:admin claim opens nothing', async () => {
    const { s } = await setup()
    const alice = await s.login('alice')
    const forged = forge(
      { alg: 'HS256', typ: 'JWT' },
      { ...claimsOf(alice.access_token), role: 'admin' },
      await s.rawKey(alice.user.id),
    )
    expect((await s.bearer(forged)).status).toBe(200)
    await expectCode(await s.bearer(forged, 'GET', '/admin/users'), 403, 'forbidden')
    // And an edited payload with the original signature does not even pass the bearer checks.
    const [h, , sig] = alice.access_token.split('.')
    const edited = `${h}.${b64url({ ...claimsOf(alice.access_token), role: 'admin' })}.${sig}`
    await expectCode(await s.bearer(edited, 'GET', '/admin/users'), 401, 'invalid_token')
  })
})

describe('GET /admin/users', () => {
  it('200 {users:[{id, username, role, email, email_verified, enabled}]}: nothing more of a user', async () => {
    const { s, admin } = await setup()
    const res = await admin('GET', '/admin/users')
    expect(res.status).toBe(200)
    const body = (await res.json()) as { users: Array<Record<string, unknown>>; user_enabled: boolean }
    expect(body.user_enabled).toBe(true)
    const stored = await s.store.listUsers()
    expect(body.users).toHaveLength(stored.length)
    for (const u of stored) {
      const { id, username, role, enabled, email, emailVerified } = u
      expect(body.users).toContainEqual({ id, username, role, enabled, email, email_verified: emailVerified })
    }
    const keys = ['email', 'email_verified', 'enabled', 'id', 'role', 'username']
    for (const u of body.users) expect(Object.keys(u).sort()).toEqual(keys)
    expect(JSON.stringify(body)).not.toMatch(/password|secret|pbkdf2/i)
  })
})

describe('disable and enable', () => {
  it('disable: 200 {user}; the user’s token → 403, refresh → 403, login → 403; others unaffected', async () => {
    const { s, admin } = await setup()
    const alice = await s.login('alice')
    const bob = await s.login('bob')
    const res = await admin('POST', `/admin/users/${alice.user.id}/disable`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({
      user: { id: alice.user.id, username: 'alice', role: 'user', enabled: false },
    })
    for (const r of [
      await s.bearer(alice.access_token),
      await s.refresh(alice.refresh_token!),
      await loginRes(s, 'alice'),
    ]) {
      expect(r.status).toBe(403)
      expect(await r.json()).toMatchObject({ error: { code: 'user_disabled' }, user_enabled: false })
    }
    expect(await s.liveSessions(alice.user.id)).toEqual([])
    await expectAlive(s, bob)
    const list = (await (await admin('GET', '/admin/users')).json()) as {
      users: Array<{ id: string; enabled: boolean }>
    }
    expect(list.users.find((u) => u.id === alice.user.id)?.enabled).toBe(false)
  })

  it('enable: login works again; tokens from before the disable stay dead', async () => {
    const { s, admin } = await setup()
    const alice = await s.login('alice')
    expect((await admin('POST', `/admin/users/${alice.user.id}/disable`)).status).toBe(200)
    const res = await admin('POST', `/admin/users/${alice.user.id}/enable`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ user: { id: alice.user.id, enabled: true } })
    await expectDead(s, alice)
    const again = await s.login('alice')
    await expectAlive(s, again)
  })

  it('enable of a user who is enabled answers 200, and the user goes on signing in', async () => {
    const { s, admin } = await setup()
    expect((await admin('POST', `/admin/users/${(await s.user('bob')).id}/enable`)).status).toBe(200)
    await expectAlive(s, await s.login('bob'))
  })
})

describe('POST /admin/users/:id/revoke', () => {
  it('every token of that user dies; other users’ tokens live; the user can sign in again', async () => {
    const { s, root, admin } = await setup()
    const a1 = await s.login('alice')
    const a2 = await s.login('alice')
    const bob = await s.login('bob')
    const res = await admin('POST', `/admin/users/${a1.user.id}/revoke`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ user: { id: a1.user.id, enabled: true } })
    await expectDead(s, a1)
    await expectDead(s, a2)
    expect(await s.liveSessions(a1.user.id)).toEqual([])
    await expectAlive(s, bob)
    expect((await s.bearer(root.access_token)).status).toBe(200)
    await expectAlive(s, await s.login('alice'))
  })
})

describe('PATCH /admin/users/:id', () => {
  it('400 invalid_request for a bad role; nothing changes', async () => {
    const { s, admin } = await setup()
    const alice = await s.login('alice')
    for (const role of ['superuser', 'Admin', '', null, 1]) {
      await expectCode(
        await admin('PATCH', `/admin/users/${alice.user.id}`, { role }),
        400,
        'invalid_request',
      )
    }
    expect((await s.user('alice')).role).toBe('user')
    await expectAlive(s, alice)
  })

  it('a role change kills the old tokens; the new login carries the role', async () => {
    const { s, admin } = await setup()
    const alice = await s.login('alice')
    const bob = await s.login('bob')
    const res = await admin('PATCH', `/admin/users/${alice.user.id}`, { role: 'admin' })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({
      user: { id: alice.user.id, username: 'alice', role: 'admin', enabled: true },
    })
    await expectDead(s, alice)
    const promoted = await s.login('alice')
    expect(promoted.user.role).toBe('admin')
    expect(claimsOf(promoted.access_token).role).toBe('admin')
    expect((await s.bearer(promoted.access_token, 'GET', '/admin/users')).status).toBe(200)
    await expectAlive(s, bob)

    // And back: the admin token dies with the demotion.
    expect((await admin('PATCH', `/admin/users/${alice.user.id}`, { role: 'user' })).status).toBe(200)
    await expectCode(await s.bearer(promoted.access_token, 'GET', '/admin/users'), 401, 'invalid_token')
    const demoted = await s.login('alice')
    expect(claimsOf(demoted.access_token).role).toBe('user')
    await expectCode(await s.bearer(demoted.access_token, 'GET', '/admin/users'), 403, 'forbidden')
  })
})

describe('the last enabled admin', () => {
  it('409 last_admin when the only admin disables or demotes themself; nothing changes', async () => {
    const { s, root, admin } = await setup()
    const before = await s.user('root')
    await expectCode(await admin('POST', `/admin/users/${root.user.id}/disable`), 409, 'last_admin')
    await expectCode(
      await admin('PATCH', `/admin/users/${root.user.id}`, { role: 'user' }),
      409,
      'last_admin',
    )
    expect(await s.user('root')).toEqual(before)
    expect(await s.liveSessions(root.user.id)).toHaveLength(1)
    expect((await admin('GET', '/admin/users')).status).toBe(200)
    await expectAlive(s, root)
  })

  it('with two admins one may demote or disable the other; then the one left is refused', async () => {
    const { s, root, admin } = await setup()
    const alice = await s.login('alice')
    expect((await admin('PATCH', `/admin/users/${alice.user.id}`, { role: 'admin' })).status).toBe(200)
    const promoted = await s.login('alice')
    const asAlice = (method: string, path: string, body?: unknown) =>
      s.bearer(promoted.access_token, method, path, body)
    // alice demotes root: allowed, alice is left.
    expect((await asAlice('PATCH', `/admin/users/${root.user.id}`, { role: 'user' })).status).toBe(200)
    expect((await s.user('root')).role).toBe('user')
    await expectCode(await asAlice('POST', `/admin/users/${alice.user.id}/disable`), 409, 'last_admin')
    await expectCode(
      await asAlice('PATCH', `/admin/users/${alice.user.id}`, { role: 'user' }),
      409,
      'last_admin',
    )
    expect(await s.user('alice')).toMatchObject({ role: 'admin', enabled: true })
    await expectAlive(s, promoted)
    // Promoting and enabling are never refused; with root back, alice may go.
    expect((await asAlice('PATCH', `/admin/users/${root.user.id}`, { role: 'admin' })).status).toBe(200)
    expect((await asAlice('POST', `/admin/users/${alice.user.id}/disable`)).status).toBe(200)
    const root2 = await s.login('root')
    expect((await s.bearer(root2.access_token, 'POST', `/admin/users/${alice.user.id}/enable`)).status).toBe(
      200,
    )
    expect(await s.user('alice')).toMatchObject({ role: 'admin', enabled: true })
  })

  it('a disabled admin does not count as the admin left', async () => {
    const { s, root, admin } = await setup()
    const alice = await s.login('alice')
    expect((await admin('PATCH', `/admin/users/${alice.user.id}`, { role: 'admin' })).status).toBe(200)
    expect((await admin('POST', `/admin/users/${alice.user.id}/disable`)).status).toBe(200)
    await expectCode(
      await admin('PATCH', `/admin/users/${root.user.id}`, { role: 'user' }),
      409,
      'last_admin',
    )
    expect((await s.user('root')).role).toBe('admin')
  })
})

describe('POST /admin/revoke-all', () => {
  it('everyone’s tokens and refresh tokens die, the admin’s too; new logins work', async () => {
    const { s, root, admin } = await setup()
    const alice = await s.login('alice')
    const bob = await s.login('bob')
    const res = await admin('POST', '/admin/revoke-all')
    expect(res.status).toBe(200)
    for (const t of [alice, bob, root]) await expectDead(s, t)
    for (const name of ['alice', 'bob', 'root'])
      expect(await s.liveSessions((await s.user(name)).id)).toEqual([])
    const root2 = await s.login('root')
    expect((await s.bearer(root2.access_token, 'GET', '/admin/users')).status).toBe(200)
    await expectAlive(s, await s.login('alice'))
    await expectAlive(s, await s.login('bob'))
  })
})

describe('404 user_not_found for an unknown id', () => {
  it.each([
    ['POST', '/admin/users/no-such-id/disable'],
    ['POST', '/admin/users/no-such-id/enable'],
    ['POST', '/admin/users/no-such-id/revoke'],
    ['PATCH', '/admin/users/no-such-id', { role: 'admin' }],
  ] as Array<[string, string, unknown?]>)('%s %s', async (method, path, body) => {
    const { s, admin } = await setup()
    const alice = await s.login('alice')
    await expectCode(await admin(method, path, body), 404, 'user_not_found')
    await expectAlive(s, alice)
  })
})
