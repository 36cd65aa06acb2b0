import { randomBytes } from 'node:crypto'
import { beforeEach, describe, expect, it } from 'vitest'
import { createSqliteStore } from '../node/store/sqlite.js'
import { createMemoryStore } from '../store/memory.js'
import type { Store } from '../store/types.js'
import { claimsOf, expectCode, forge, type TestServer, testServer } from '../test/harness.js'
import { isolatedPostgresStore, skipWithout } from '../test/services.js'
import type { AccessClaims } from '../tokens/claims.js'

// PostgreSQL refuses NUL in text (SQLSTATE 22021): a NUL in any string a client chooses must be refused
// before it reaches a store, with a coded 4xx on every store alike, and never end as a 500.

const stores: Array<[string, () => Store]> = [
  ['memory', () => createMemoryStore()],
  ['sqlite', () => createSqliteStore(':memory:')],
]
const noPostgres = skipWithout(['database'], 'NUL on PostgreSQL')
if (noPostgres) describe.skip(`postgres: ${noPostgres}`, () => it.todo('NUL in client strings'))
else stores.push(['postgres', isolatedPostgresStore])

const NUL = 'ali\u0000ce'

/** Asserts a 400 invalid_request whose details name exactly these fields. */
async function expectInvalid(res: Response, fields: string[]) {
  expect(res.status).toBe(400)
  const body = (await res.json()) as { error: { code: string; details: Array<{ path: string }> } }
  expect(body.error.code).toBe('invalid_request')
  expect(body.error.details.map((d) => d.path).sort()).toEqual([...fields].sort())
}

describe.each(stores)('NUL in a client string (%s store)', (_name, make) => {
  let s: TestServer
  beforeEach(async () => {
    const store = make()
    s = await testServer({ store })
    return () => store.close()
  })

  it('login: NUL in the username or the password → 400 invalid_request; the user can still sign in', async () => {
    for (const body of [
      { username: NUL, password: 'alice-password' },
      { username: 'alice\u0000', password: 'alice-password' },
    ]) {
      await expectInvalid(await s.json('POST', '/auth/login', body), ['username'])
    }
    await expectInvalid(await s.json('POST', '/auth/login', { username: 'alice', password: 'x\u0000' }), [
      'password',
    ])
    await s.login('alice')
  })

  it('register: NUL in the username or the password → 400 invalid_request; no user is created', async () => {
    const before = await s.store.listUsers()
    await expectInvalid(
      await s.json('POST', '/auth/register', { username: 'car\u0000ol', password: 'carol-password' }),
      ['username'],
    )
    await expectInvalid(
      await s.json('POST', '/auth/register', { username: 'carol', password: 'carol-\u0000password' }),
      ['password'],
    )
    expect(await s.store.listUsers()).toEqual(before)
    expect(await s.store.findUserByUsername('carol')).toBeNull()
  })

  it('password change: NUL in either password → 400; the password and the session are unchanged', async () => {
    const t = await s.login('alice')
    const stored = await s.user('alice')
    for (const [body, field] of [
      [{ current_password: 'alice-\u0000password', new_password: 'new-password' }, 'current_password'],
      [{ current_password: 'alice-password', new_password: 'new-\u0000password' }, 'new_password'],
    ] as const) {
      await expectInvalid(await s.bearer(t.access_token, 'POST', '/auth/password', body), [field])
    }
    expect((await s.user('alice')).passwordHash).toBe(stored.passwordHash)
    expect((await s.bearer(t.access_token)).status).toBe(200)
  })

  it('refresh and logout: NUL in the refresh token → 400; the session goes on', async () => {
    const t = await s.login('alice')
    const bad = `${t.refresh_token}\u0000`
    await expectInvalid(await s.refresh(bad), ['refresh_token'])
    await expectInvalid(await s.json('POST', '/auth/logout', { refresh_token: bad }), ['refresh_token'])
    expect((await s.refresh(t.refresh_token!)).status).toBe(200)
  })

  it('a token whose sub or sid holds NUL → 401 invalid_token, whoever signed it', async () => {
    const t = await s.login('alice')
    const claims = claimsOf(t.access_token) as unknown as AccessClaims
    // Unsigned by anyone the server knows: the user lookup by `sub` comes before the signature check.
    const header = { alg: 'HS256', typ: 'JWT' }
    await expectCode(
      await s.bearer(forge(header, { ...claims, sub: NUL }, randomBytes(32))),
      401,
      'invalid_token',
    )
    await expectCode(
      await s.bearer(forge(header, { ...claims, sub: `${claims.sub}\u0000` }, randomBytes(32))),
      401,
      'invalid_token',
    )
    // Signed with alice's real key: only the session lookup by `sid` stands between it and the store.
    await expectCode(await s.bearer(await s.sign({ ...claims, sid: NUL })), 401, 'invalid_token')
    await expectCode(
      await s.bearer(await s.sign({ ...claims, sid: `${claims.sid}\u0000` }), 'POST', '/auth/logout'),
      401,
      'invalid_token',
    )
    expect((await s.bearer(t.access_token)).status).toBe(200)
  })

  it('an admin :id with NUL → 404 user_not_found; nothing changes', async () => {
    const root = await s.login('root')
    const alice = await s.login('alice')
    const id = encodeURIComponent(`${alice.user.id}\u0000`)
    for (const [method, path, body] of [
      ['POST', `/admin/users/${id}/disable`],
      ['POST', `/admin/users/${id}/enable`],
      ['POST', `/admin/users/${id}/revoke`],
      ['PATCH', `/admin/users/${id}`, { role: 'admin' }],
      ['POST', `/admin/users/%00/disable`],
    ] as Array<[string, string, unknown?]>) {
      await expectCode(await s.bearer(root.access_token, method, path, body), 404, 'user_not_found')
    }
    expect(await s.user('alice')).toMatchObject({ role: 'user', enabled: true })
    expect((await s.bearer(alice.access_token)).status).toBe(200)
  })

  it('a session :id with NUL → 404 session_not_found; the session goes on', async () => {
    const phone = await s.login('alice')
    const laptop = await s.login('alice')
    for (const id of [encodeURIComponent(`${phone.session.id}\u0000`), '%00']) {
      const res = await s.bearer(laptop.access_token, 'DELETE', `/auth/sessions/${id}`)
      await expectCode(res, 404, 'session_not_found')
    }
    expect((await s.bearer(phone.access_token)).status).toBe(200)
  })
})
