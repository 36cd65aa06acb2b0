import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../app.js'
import { createPbkdf2Hasher } from '../auth/passwords.js'
import { createInProcessBus } from '../bus/in-process.js'
import type { ServerConfig } from '../config.js'
import { StoreUnavailableError } from '../errors.js'
import type { LogEntry } from '../log.js'
import { nodeAuthorization, nodeClientIp } from '../node/node-request.js'
import { seedUsers } from '../seed.js'
import { createMemoryStore } from '../store/memory.js'
import { honoAnswer, refusalCases, type Seen, seenOf } from '../test/adapters.js'
import { closeServed, frameworks, RECENT_MAX_AGE } from '../test/frameworks.js'
import { claimsOf, GLOBAL_SECRET, testServer, USERS } from '../test/harness.js'
import type { Principal } from '../verifier.js'
import { createVerifier } from '../verifier.js'

// One suite, every framework: Leash's `requireSession` and routes, mounted the way each framework mounts them
// (test/frameworks.ts), hold to the same list of cases, each written once. Hono's own middleware is the
// reference the others are held to (itself held to the server's /auth/me by middleware/require-session.test.ts).

afterEach(closeServed)

const hasher = createPbkdf2Hasher(1_000)
const alice = { username: 'alice', password: 'alice-password' }
const get = (url: string, authorization?: string) =>
  fetch(url, { headers: authorization === undefined ? {} : { authorization } })

/** Leash as a Node app makes it (header and client address read off Node's request), over a memory store. */
async function leashApp(config: Partial<ServerConfig> = {}) {
  const store = createMemoryStore()
  const leash = createApp({
    store,
    hasher,
    globalSecret: GLOBAL_SECRET,
    config: { secureCookies: false, ...config },
    clientIp: nodeClientIp,
    authorization: nodeAuthorization,
  })
  await seedUsers(store, hasher, USERS, Date.now())
  return { leash, store }
}

const refreshLine = (res: Response) => res.headers.getSetCookie().find((l) => l.startsWith('leash_refresh='))
const cookieOf = (line: string | undefined) => /^leash_refresh=([^;]*)/.exec(line ?? '')?.[1]

describe.each(frameworks)('requireSession (%s)', (_name, framework) => {
  it('answers every refusal exactly as the Hono middleware does, and never reaches the handler', async () => {
    const s = await testServer()
    const cases = await refusalCases(s)
    const hono = honoAnswer(s)
    const reached: Array<Principal | null> = []
    const url = await framework.protect(s.app, reached)
    for (const { code, authorization, role } of cases) {
      const seen = await seenOf(await get(`${url}${role ? '/admin' : '/user'}`, authorization))
      expect(seen, `${code}: ${authorization}`).toEqual(await hono(authorization, role))
      expect(seen.body).toMatchObject({ error: { code } })
    }
    expect(cases.map((c) => c.code)).toEqual(
      expect.arrayContaining(['missing_token', 'token_expired', 'user_disabled', 'forbidden']),
    )
    expect(reached).toEqual([])
  })

  it('puts the principal where the framework keeps it; a list of roles lets any of them in', async () => {
    const s = await testServer()
    const reached: Array<Principal | null> = []
    const url = await framework.protect(s.app, reached)
    const alice = await s.login('alice')
    const root = await s.login('root')
    expect((await get(`${url}/user`, `Bearer ${alice.access_token}`)).status).toBe(200)
    const verdict = await s.app.verify(`Bearer ${alice.access_token}`)
    expect(reached).toEqual([verdict.ok && verdict.principal])
    expect(reached[0]).toMatchObject({
      user: { username: 'alice', role: 'user' },
      sessionId: alice.session.id,
    })
    expect((await get(`${url}/admin`, `Bearer ${root.access_token}`)).status).toBe(200)
    expect((await get(`${url}/either`, `Bearer ${alice.access_token}`)).status).toBe(200)
    expect((await get(`${url}/either`, `Bearer ${root.access_token}`)).status).toBe(200)
  })

  it('maxAge: a sign-in older than it is refused 401 reauthentication_required until the password is confirmed', async () => {
    const s = await testServer()
    const reached: Array<Principal | null> = []
    const url = await framework.protect(s.app, reached)
    const alice = await s.login('alice')
    const recent = async (token: string) => seenOf(await get(`${url}/recent`, `Bearer ${token}`))
    expect((await recent(alice.access_token)).status).toBe(200)
    s.clock.advance(RECENT_MAX_AGE) // exactly the max age: still accepted
    expect((await recent(alice.access_token)).status).toBe(200)
    s.clock.advance(1)
    const stale: Seen = {
      status: 401,
      wwwAuthenticate: `Bearer error="insufficient_user_authentication", max_age=${RECENT_MAX_AGE}`,
      retryAfter: null,
      body: { error: { code: 'reauthentication_required', message: expect.any(String) } },
    }
    expect(await recent(alice.access_token)).toEqual(stale)
    // a refresh never moves the sign-in
    const refreshed = (await (await s.refresh(alice.refresh_token!)).json()) as { access_token: string }
    expect(await recent(refreshed.access_token)).toEqual(stale)
    // a token without auth_time (signed before it existed) counts as too old, however recent its iat
    const { auth_time: _, ...legacy } = claimsOf(refreshed.access_token)
    expect(await recent(await s.sign(legacy as never))).toEqual(stale)
    // the routes without maxAge take it as before
    expect((await get(`${url}/user`, `Bearer ${refreshed.access_token}`)).status).toBe(200)
    const res = await s.bearer(refreshed.access_token, 'POST', '/auth/reauthenticate', {
      password: 'alice-password',
    })
    const fresh = (await res.json()) as { access_token: string }
    expect(await recent(fresh.access_token)).toMatchObject({ status: 200, body: { ok: 'recent' } })
  })

  it('a store that cannot be reached: 503 store_unavailable with Retry-After, logged, never the app’s 500', async () => {
    const store = createMemoryStore()
    const logged: LogEntry[] = []
    const log = (entry: LogEntry) => logged.push(entry)
    const s = await testServer({ store, log })
    const reached: Array<Principal | null> = []
    const url = await framework.protect(s.app, reached, log)
    const alice = await s.login('alice')
    store.findUserById = () => Promise.reject(new StoreUnavailableError(new Error('ECONNREFUSED')))
    expect(await seenOf(await get(`${url}/user`, `Bearer ${alice.access_token}`))).toEqual({
      status: 503,
      wwwAuthenticate: null,
      retryAfter: '1',
      body: { error: { code: 'store_unavailable', message: expect.any(String) } },
    })
    expect(logged).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: 'store unavailable',
        path: '/user',
        error: 'ECONNREFUSED',
      }),
    ])
    expect(reached).toEqual([])
  })

  it('runs on a createVerifier of a service that never issues tokens: what the app revokes, it refuses next', async () => {
    const store = createMemoryStore()
    const bus = createInProcessBus()
    const issuer = createApp({
      store,
      bus,
      hasher,
      globalSecret: GLOBAL_SECRET,
      config: { secureCookies: false },
    })
    await seedUsers(store, hasher, USERS, Date.now())
    const reached: Array<Principal | null> = []
    const url = await framework.protect(createVerifier({ store, bus, globalSecret: GLOBAL_SECRET }), reached)
    const login = await issuer.request('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...alice, refresh_transport: 'body' }),
    })
    const token = `Bearer ${((await login.json()) as { access_token: string }).access_token}`
    expect((await get(`${url}/user`, token)).status).toBe(200)
    expect((await get(`${url}/user`, token)).status).toBe(200)
    await issuer.admin.revoke(reached[0]!.user.id)
    expect(await seenOf(await get(`${url}/user`, token))).toMatchObject({
      status: 401,
      body: { error: { code: 'invalid_token' } },
    })
  })
})

describe.each(frameworks)('Leash’s routes mounted in %s', (_name, framework) => {
  /** Leash under `prefix` in the framework's app; `post` sends JSON (or a string as is). */
  async function mounted(prefix: string | null, config?: Partial<ServerConfig>) {
    const { leash, store } = await leashApp(config)
    const url = await framework.mount(leash, prefix)
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      })
    return { url, store, post }
  }

  it('serves /identity/auth/*: the refresh cookie is scoped to Path=/identity/auth, set, rotated and cleared', async () => {
    const { url, post } = await mounted('/identity')
    const login = await post('/identity/auth/login?from=test', alice)
    expect(login.status).toBe(200)
    expect(login.headers.get('cache-control')).toBe('no-store')
    expect(login.headers.get('x-content-type-options')).toBe('nosniff')
    const set = refreshLine(login)
    expect(set).toMatch(/; Path=\/identity\/auth; HttpOnly; SameSite=Strict; Max-Age=43200$/)
    const { access_token } = (await login.json()) as { access_token: string }
    // Read off Node's request (nodeAuthorization).
    const me = await get(`${url}/identity/auth/me`, `Bearer ${access_token}`)
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({ user: { username: 'alice' } })

    const refreshed = await post('/identity/auth/refresh', {}, { cookie: `leash_refresh=${cookieOf(set)}` })
    expect(refreshed.status).toBe(200)
    const rotated = refreshLine(refreshed)
    expect(rotated).toMatch(/; Path=\/identity\/auth; /)
    expect(cookieOf(rotated)).not.toBe(cookieOf(set))
    const out = await post('/identity/auth/logout', {}, { cookie: `leash_refresh=${cookieOf(rotated)}` })
    expect(out.status).toBe(200)
    expect(refreshLine(out)).toMatch(/^leash_refresh=; Path=\/identity\/auth; .*Max-Age=0/)
  })

  it('leaves every other path, and its body parsing, to the app; an unknown path under auth/ is 404', async () => {
    const { url, post } = await mounted('/identity')
    expect(await (await fetch(`${url}/identity/other`)).json()).toEqual({ host: 'other' })
    expect(await (await post('/auth/login', alice)).json()).toEqual({ host: 'not found' })
    const unknown = await fetch(`${url}/identity/auth/nope`)
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject(framework.unknownLeashPath)
    // The app's own body parser still parses the app's own bodies.
    expect(await (await post('/echo', { a: 1 })).json()).toEqual({ body: { a: 1 } })
  })

  it('follows any mount: nested, a parameter, the root', async () => {
    for (const [prefix, path, cookiePath] of [
      ['/api/v2/identity', '/api/v2/identity/auth/login', '/api/v2/identity/auth'],
      ['/:tenant', '/acme/auth/login', '/acme/auth'],
      [null, '/auth/login', '/auth'],
    ] as const) {
      const { post } = await mounted(prefix)
      const res = await post(path, alice)
      expect(res.status, path).toBe(200)
      expect(refreshLine(res)).toContain(`; Path=${cookiePath}; `)
    }
  })

  it('admin routes under the prefix, for admins only', async () => {
    const { url, post } = await mounted('/identity')
    const tokenOf = async (username: string) => {
      const res = await post('/identity/auth/login', { username, password: `${username}-password` })
      return ((await res.json()) as { access_token: string }).access_token
    }
    const list = async (username: string) =>
      get(`${url}/identity/admin/users`, `Bearer ${await tokenOf(username)}`)
    const listed = await list('root')
    expect(listed.status).toBe(200)
    expect(((await listed.json()) as { users: unknown[] }).users).toHaveLength(USERS.length)
    expect(await seenOf(await list('alice'))).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden' } },
    })
  })

  it('reads bodies itself: the 16 KiB limit with or without a Content-Length, bad JSON 400, any content type', async () => {
    const { url, post } = await mounted('/identity')
    const big = await post('/identity/auth/login', { ...alice, pad: 'x'.repeat(20_000) })
    expect(big.status).toBe(413)
    expect(await big.json()).toMatchObject({ error: { code: 'payload_too_large' } })
    const chunks = [JSON.stringify({ ...alice, pad: '' }).slice(0, -2), 'x'.repeat(20_000), '"}']
    const chunked = await fetch(`${url}/identity/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk))
          controller.close()
        },
      }),
      duplex: 'half',
    } as RequestInit)
    expect(chunked.status).toBe(413)
    expect(await chunked.json()).toMatchObject({ error: { code: 'payload_too_large' } })
    const bad = await post('/identity/auth/login', '{')
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_json' } })
    // A content type the framework has no parser for reaches Leash, which answers it as the server does
    // (415); a body with no content type at all, likewise.
    const text = await post('/identity/auth/login', JSON.stringify(alice), { 'content-type': 'text/plain' })
    expect(text.status).toBe(415)
    expect(await text.json()).toMatchObject({ error: { code: 'unsupported_media_type' } })
    const untyped = await fetch(`${url}/identity/auth/login`, {
      method: 'POST',
      body: new Uint8Array([123, 125]),
    })
    expect(untyped.status).toBe(415)
  })

  it('counts attempts per client address (nodeClientIp reads the socket)', async () => {
    const { post } = await mounted('/identity', { ipRate: 2 })
    const wrong = { username: 'alice', password: 'wrong-password' }
    expect((await post('/identity/auth/login', wrong)).status).toBe(401)
    expect((await post('/identity/auth/login', { ...wrong, username: 'bob' })).status).toBe(401)
    const limited = await post('/identity/auth/login', alice)
    expect(limited.status).toBe(429)
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } })
  })

  it('answers its own errors as the protocol says, never through the app’s error handler', async () => {
    const { post, store } = await mounted('/identity')
    store.findUserByUsername = () => Promise.reject(new StoreUnavailableError(new Error('ECONNREFUSED')))
    const down = await post('/identity/auth/login', alice)
    expect(down.status).toBe(503)
    expect(down.headers.get('retry-after')).toBe('1')
    expect(await down.json()).toMatchObject({ error: { code: 'store_unavailable' } })
  })

  it('sends every Set-Cookie of a response as its own header line', async () => {
    const routes = new Hono()
    routes.get('/auth/two', (c) => {
      c.header('Set-Cookie', 'a=1; Path=/', { append: true })
      c.header('Set-Cookie', 'b=2; Path=/', { append: true })
      return c.json({ ok: true })
    })
    const url = await framework.mount({ endpoints: routes }, '/identity')
    expect((await fetch(`${url}/identity/auth/two`)).headers.getSetCookie()).toEqual([
      'a=1; Path=/',
      'b=2; Path=/',
    ])
  })
})
