import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { createApp } from './app.js'
import { createPbkdf2Hasher } from './auth/passwords.js'
import { createInProcessBus } from './bus/in-process.js'
import { StoreUnavailableError } from './errors.js'
import type { LeashEnv } from './middleware/require-session.js'
import { seedUsers } from './seed.js'
import { createMemoryStore } from './store/memory.js'
import { GLOBAL_SECRET, manualClock, USERS } from './test/harness.js'
import { createVerifier } from './verifier.js'

// A second service that never issues tokens: `createVerifier` over the issuing app's store, bus and global
// secret, with a cache of its own. What the app revokes, it refuses at the very next request.

const hasher = createPbkdf2Hasher(1_000)

/** The issuing app and a verifier sharing its memory store and in-process bus (or a bus of its own). */
async function twoServices(options: { sharedBus?: boolean } = {}) {
  const clock = manualClock()
  const store = createMemoryStore()
  const bus = createInProcessBus()
  const app = createApp({
    store,
    bus,
    hasher,
    clock,
    globalSecret: GLOBAL_SECRET,
    config: { secureCookies: false },
  })
  await seedUsers(store, hasher, USERS, clock.now())
  const verifier = createVerifier({
    store,
    bus: options.sharedBus === false ? createInProcessBus() : bus,
    globalSecret: GLOBAL_SECRET,
    clock,
  })
  const login = async (username: string) => {
    const res = await app.request('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: `${username}-password`, refresh_transport: 'body' }),
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { access_token: string; refresh_token: string; user: { id: string } }
    return { ...body, authorization: `Bearer ${body.access_token}` }
  }
  return { app, store, clock, verifier, login }
}

describe('createVerifier: a service that shares the store, the bus and the global secret', () => {
  it('accepts what the app issued, with the same principal the app’s own verify gives', async () => {
    const { app, verifier, login } = await twoServices()
    const alice = await login('alice')
    const here = await verifier.verify(alice.authorization)
    expect(here).toMatchObject({ ok: true, principal: { user: { username: 'alice', role: 'user' } } })
    expect(here).toEqual(await app.verify(alice.authorization))
  })

  it('refuses at its very next request what the app revoked, each the protocol’s way', async () => {
    const { app, verifier, login } = await twoServices()
    const codeAfter = async (revoke: (token: Awaited<ReturnType<typeof login>>) => unknown) => {
      const token = await login('alice')
      // Twice: the second answer comes from the verifier's cache, so what follows is about invalidation.
      expect((await verifier.verify(token.authorization)).ok).toBe(true)
      expect((await verifier.verify(token.authorization)).ok).toBe(true)
      await revoke(token)
      const verdict = await verifier.verify(token.authorization)
      return verdict.ok ? 'accepted' : verdict
    }
    const alice = (await app.admin.userByName('alice'))!
    const logout = (token: { refresh_token: string }) =>
      app.request('/auth/logout', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: token.refresh_token }),
      })
    expect(await codeAfter(logout)).toMatchObject({ status: 401, code: 'session_revoked' })
    expect(await codeAfter(() => app.admin.revoke(alice.id))).toMatchObject({
      status: 401,
      code: 'invalid_token',
    })
    expect(await codeAfter(() => app.admin.revokeAll())).toMatchObject({ status: 401, code: 'invalid_token' })
    expect(await codeAfter(() => app.admin.disable(alice.id))).toMatchObject({
      status: 403,
      code: 'user_disabled',
      userEnabled: false,
    })
  })

  it('the control: on a bus of its own, the same cached session is still accepted after the logout', async () => {
    // What the shared bus buys: without it the verifier's cache trusts a session the app has ended (for up to
    // the cache's 5 s), which is why `bus` is a required option.
    const { verifier, app, login } = await twoServices({ sharedBus: false })
    const token = await login('alice')
    expect((await verifier.verify(token.authorization)).ok).toBe(true)
    await app.request('/auth/logout', { method: 'POST', headers: { authorization: token.authorization } })
    expect((await app.verify(token.authorization)).ok).toBe(false)
    expect((await verifier.verify(token.authorization)).ok).toBe(true)
  })

  it('close() stops listening to the bus', async () => {
    const { verifier, app, login } = await twoServices()
    const token = await login('alice')
    expect((await verifier.verify(token.authorization)).ok).toBe(true)
    verifier.close()
    await app.request('/auth/logout', { method: 'POST', headers: { authorization: token.authorization } })
    expect((await verifier.verify(token.authorization)).ok).toBe(true) // no longer told: the cache stands
  })

  it('its Hono middleware serves a second service’s own routes, and refuses the moment the app disables', async () => {
    const { verifier, app, login } = await twoServices()
    const service = new Hono<LeashEnv>()
    service.get('/api/invoices', verifier.requireSession(), (c) =>
      c.json({ owner: c.get('leash').user.username, user_enabled: true }),
    )
    const alice = await login('alice')
    const get = () => service.request('/api/invoices', { headers: { authorization: alice.authorization } })
    expect(await (await get()).json()).toEqual({ owner: 'alice', user_enabled: true })
    await app.admin.disable(alice.user.id)
    const refused = await get()
    expect(refused.status).toBe(403)
    expect(await refused.json()).toEqual({
      error: { code: 'user_disabled', message: expect.any(String) },
      user_enabled: false,
    })
  })

  it('refuses tokens of another deployment (global secret, issuer), and a short secret at creation', async () => {
    const { store, clock, login } = await twoServices()
    const bus = createInProcessBus()
    const alice = await login('alice')
    const otherSecret = createVerifier({ store, bus, clock, globalSecret: `${GLOBAL_SECRET}-other` })
    expect(await otherSecret.verify(alice.authorization)).toMatchObject({ ok: false, code: 'invalid_token' })
    const otherIssuer = createVerifier({
      store,
      bus,
      clock,
      globalSecret: GLOBAL_SECRET,
      config: { issuer: 'x' },
    })
    expect(await otherIssuer.verify(alice.authorization)).toMatchObject({ ok: false, code: 'invalid_token' })
    expect(() => createVerifier({ store, bus, globalSecret: 'short' })).toThrow(/32 bytes/)
  })

  it('a store that cannot be reached on a cache miss: 503 store_unavailable, never a rejection', async () => {
    const { store, verifier, login } = await twoServices()
    const alice = await login('alice')
    const cause = new StoreUnavailableError(new Error('ECONNREFUSED'))
    store.findUserById = () => Promise.reject(cause)
    expect(await verifier.verify(alice.authorization)).toEqual({
      ok: false,
      status: 503,
      code: 'store_unavailable',
      message: expect.any(String),
      cause,
    })
  })
})
