import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { LogEntry } from '../app.js'
import { StoreUnavailableError } from '../errors.js'
import { nodeCodec } from '../node/tokens/node-codec.js'
import { createMemoryStore } from '../store/memory.js'
import { b64url, claimsOf, forge, type TestServer, testServer } from '../test/harness.js'
import type { TokenCodec } from '../tokens/codec.js'
import { joseCodec } from '../tokens/jose-codec.js'
import type { Principal } from '../verifier.js'
import type { LeashEnv } from './require-session.js'

// `requireSession` on a Hono app of the test's own: every refusal of the protocol's check list answered
// exactly as the server's own /auth/me answers it, the role check, the principal's shape, and a store outage.

const HS256 = { alg: 'HS256', typ: 'JWT' }

/** The test's own app: a protected route of its own, an admin-only one, one for either role. */
function ownApp(s: TestServer) {
  const reached: Principal[] = []
  const app = new Hono<LeashEnv>()
  app.onError((_error, c) => c.json({ own: 'error handler' }, 500))
  app.get('/projects', s.app.requireSession(), (c) => {
    reached.push(c.get('leash'))
    return c.json({ projects: [], user_enabled: true })
  })
  app.get('/reports', s.app.requireSession({ role: 'admin' }), (c) => c.json({ reports: [] }))
  app.get('/either', s.app.requireSession({ role: ['user', 'admin'] }), (c) => c.json({ ok: true }))
  const get = (path: string, authorization?: string) =>
    app.request(path, { headers: authorization === undefined ? {} : { authorization } })
  return { app, reached, get }
}

/** What a client sees of a response: status, the auth header, the body. */
async function seen(res: Response) {
  return {
    status: res.status,
    wwwAuthenticate: res.headers.get('www-authenticate'),
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as Record<string, unknown>,
  }
}

describe.each<[string, TokenCodec]>([
  ['jose', joseCodec],
  ['node', nodeCodec],
])('requireSession (%s codec)', (_name, codec) => {
  it('refuses every failure of the check list exactly as the server’s own /auth/me does, before the handler', async () => {
    const s = await testServer({ codec })
    const own = ownApp(s)
    const alice = await s.login('alice')
    const aliceId = alice.user.id
    const key = await s.rawKey(aliceId)
    const claims = claimsOf(alice.access_token)
    const [h, p, sig] = alice.access_token.split('.') as [string, string, string]
    const bearer = (token: string) => `Bearer ${token}`

    const cases: Array<[string, string | undefined]> = [
      ['missing_token', undefined],
      ['missing_token', `Basic ${b64url('alice:alice-password')}`],
      ['missing_token', alice.access_token],
      ['malformed_token', bearer(`${h}.${p}`)],
      ['malformed_token', bearer(`${h}.${p}.`)],
      ['invalid_token', bearer(forge({ alg: 'none', typ: 'JWT' }, claims, key))],
      ['invalid_token', bearer(forge({ alg: 'HS512', typ: 'JWT' }, claims, key, 'sha512'))],
      ['invalid_token', bearer(forge({ ...HS256, jku: 'https://attacker.example' }, claims, key))],
      ['invalid_token', bearer(forge(HS256, { ...claims, sid: undefined }, key))],
      ['invalid_token', bearer(forge(HS256, { ...claims, sub: 'no-such-user' }, key))],
      ['invalid_token', bearer(`${h}.${b64url({ ...claims, role: 'admin' })}.${sig}`)],
      ['invalid_token', bearer(forge(HS256, { ...claims, iss: 'elsewhere' }, key))],
      ['invalid_token', bearer(forge(HS256, { ...claims, aud: 'elsewhere' }, key))],
      ['invalid_token', bearer(forge(HS256, { ...claims, iat: (claims.iat as number) + 31 }, key))],
      ['token_expired', bearer(forge(HS256, { ...claims, exp: (claims.iat as number) - 1 }, key))],
      ['session_revoked', bearer(forge(HS256, { ...claims, sid: 'no-such-session' }, key))],
    ]
    for (const [code, authorization] of cases) {
      const mine = await seen(await own.get('/projects', authorization))
      const server = await seen(
        await s.json('GET', '/auth/me', undefined, authorization === undefined ? {} : { authorization }),
      )
      expect(mine, `${code}: ${authorization}`).toEqual(server)
      expect(mine.status).toBe(401)
      expect(mine.body).toEqual({ error: { code, message: expect.any(String) } })
      expect(mine.wwwAuthenticate).toBe(
        `Bearer error="${code === 'missing_token' ? 'invalid_request' : 'invalid_token'}"`,
      )
    }
    expect(own.reached).toEqual([])

    // The token itself: accepted, then expired, revoked, disabled.
    expect((await own.get('/projects', bearer(alice.access_token))).status).toBe(200)
    s.clock.advance(300)
    expect(await seen(await own.get('/projects', bearer(alice.access_token)))).toMatchObject({
      status: 401,
      body: { error: { code: 'token_expired' } },
    })
    const again = await s.login('alice')
    await s.json('POST', '/auth/logout', { refresh_token: again.refresh_token })
    expect(await seen(await own.get('/projects', bearer(again.access_token)))).toMatchObject({
      status: 401,
      wwwAuthenticate: 'Bearer error="invalid_token"',
      body: { error: { code: 'session_revoked' } },
    })
    const third = await s.login('alice')
    await s.app.admin.revoke(aliceId)
    expect(await seen(await own.get('/projects', bearer(third.access_token)))).toMatchObject({
      status: 401,
      body: { error: { code: 'invalid_token' } },
    })
    const fourth = await s.login('alice')
    await s.app.admin.disable(aliceId)
    const disabled = await seen(await own.get('/projects', bearer(fourth.access_token)))
    expect(disabled).toEqual({
      status: 403,
      wwwAuthenticate: null,
      retryAfter: null,
      body: { error: { code: 'user_disabled', message: expect.any(String) }, user_enabled: false },
    })
    expect(own.reached).toHaveLength(1)
  })

  it('puts the principal at c.get("leash"): the public user, the session id and the token’s claims', async () => {
    const s = await testServer({ codec })
    const own = ownApp(s)
    const alice = await s.login('alice')
    expect((await own.get('/projects', `Bearer ${alice.access_token}`)).status).toBe(200)
    const [principal] = own.reached
    expect(principal).toEqual({
      user: { id: alice.user.id, username: 'alice', role: 'user' },
      sessionId: alice.session.id,
      claims: claimsOf(alice.access_token),
    })
    expect(Object.keys(principal!.user).sort()).toEqual(['id', 'role', 'username'])
    // Nothing of the stored record beyond the view: no password hash, no user secret.
    const record = await s.user('alice')
    const shown = JSON.stringify(principal)
    expect(shown).not.toContain(record.passwordHash)
    expect(shown).not.toContain(record.secret)
    // The view is shared between requests, so it is frozen: a handler cannot change what the next one sees.
    expect(Object.isFrozen(principal!.user)).toBe(true)
  })

  it('403 forbidden for another role, after every other check; a list of roles lets any of them in', async () => {
    const s = await testServer({ codec })
    const own = ownApp(s)
    const alice = await s.login('alice')
    const root = await s.login('root')
    const refused = await seen(await own.get('/reports', `Bearer ${alice.access_token}`))
    expect(refused).toEqual({
      status: 403,
      wwwAuthenticate: null,
      retryAfter: null,
      body: { error: { code: 'forbidden', message: expect.any(String) } },
    })
    expect((await own.get('/reports', `Bearer ${root.access_token}`)).status).toBe(200)
    expect((await own.get('/either', `Bearer ${alice.access_token}`)).status).toBe(200)
    expect((await own.get('/either', `Bearer ${root.access_token}`)).status).toBe(200)
    // The token's check comes first: no token is missing_token, not forbidden.
    expect((await seen(await own.get('/reports'))).body).toMatchObject({ error: { code: 'missing_token' } })
    // The role is the user's as stored now: promoted (which rotates her `secret`), her new token passes.
    await s.app.admin.setRole(alice.user.id, 'admin')
    const promoted = await s.login('alice')
    expect((await own.get('/reports', `Bearer ${promoted.access_token}`)).status).toBe(200)
    expect((await own.get('/reports', `Bearer ${alice.access_token}`)).status).toBe(401)
  })

  it('a store that cannot be reached: 503 store_unavailable with Retry-After, logged, never the app’s 500', async () => {
    const store = createMemoryStore()
    const logged: LogEntry[] = []
    const s = await testServer({ codec, store, log: (entry) => logged.push(entry) })
    const own = ownApp(s)
    const alice = await s.login('alice')
    store.findUserById = () => Promise.reject(new StoreUnavailableError(new Error('ECONNREFUSED')))
    const res = await seen(await own.get('/projects', `Bearer ${alice.access_token}`))
    expect(res).toEqual({
      status: 503,
      wwwAuthenticate: null,
      retryAfter: '1',
      body: { error: { code: 'store_unavailable', message: expect.any(String) } },
    })
    expect(logged).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'store unavailable', error: 'ECONNREFUSED' }),
    ])
    expect(own.reached).toEqual([])
  })
})

describe('app.verify', () => {
  it('answers a verdict, never an exception: the refusal as data, the principal on success', async () => {
    const s = await testServer()
    const alice = await s.login('alice')
    expect(await s.app.verify(undefined)).toEqual({
      ok: false,
      status: 401,
      code: 'missing_token',
      message: expect.any(String),
    })
    expect(await s.app.verify('Bearer a.b')).toMatchObject({
      ok: false,
      status: 401,
      code: 'malformed_token',
    })
    const verdict = await s.app.verify(`Bearer ${alice.access_token}`)
    expect(verdict).toEqual({
      ok: true,
      principal: {
        user: { id: alice.user.id, username: 'alice', role: 'user' },
        sessionId: alice.session.id,
        claims: claimsOf(alice.access_token),
      },
    })
    expect(await s.app.verify(`Bearer ${alice.access_token}`, { role: 'admin' })).toMatchObject({
      ok: false,
      status: 403,
      code: 'forbidden',
    })
    await s.app.admin.disable(alice.user.id)
    expect(await s.app.verify(`Bearer ${alice.access_token}`)).toEqual({
      ok: false,
      status: 403,
      code: 'user_disabled',
      message: expect.any(String),
      userEnabled: false,
    })
  })
})

describe('requireSession({ maxAge })', () => {
  it('is refused when the route is made unless it is a whole number of seconds ≥ 0, in every framework', async () => {
    const s = await testServer()
    const { requireSession: express } = await import('../adapters/express.js')
    const { requireSession: fastify } = await import('../adapters/fastify.js')
    for (const maxAge of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const message = /maxAge must be a whole number of seconds ≥ 0/
      expect(() => s.app.requireSession({ maxAge })).toThrow(message)
      expect(() => express(s.app, { maxAge })).toThrow(message)
      expect(() => fastify(s.app, { maxAge })).toThrow(message)
    }
  })

  it('comes after the role: another role is forbidden (a fresh sign-in would not help), then the age', async () => {
    const s = await testServer()
    const app = new Hono<LeashEnv>()
    app.get('/ops', s.app.requireSession({ role: 'admin', maxAge: 0 }), (c) => c.json({ ok: true }))
    const alice = await s.login('alice')
    const root = await s.login('root')
    const get = (token: string) => app.request('/ops', { headers: { authorization: `Bearer ${token}` } })
    expect(await (await get(alice.access_token)).json()).toMatchObject({ error: { code: 'forbidden' } })
    // maxAge 0: only a sign-in of this very second
    expect((await get(root.access_token)).status).toBe(200)
    s.clock.advance(1)
    const stale = await get(root.access_token)
    expect(stale.status).toBe(401)
    expect(stale.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_user_authentication", max_age=0',
    )
    expect(await s.app.verify(`Bearer ${root.access_token}`, { maxAge: 1 })).toMatchObject({ ok: true })
    expect(await s.app.verify(`Bearer ${root.access_token}`, { maxAge: 0 })).toMatchObject({
      ok: false,
      status: 401,
      code: 'reauthentication_required',
      maxAge: 0,
    })
  })
})
