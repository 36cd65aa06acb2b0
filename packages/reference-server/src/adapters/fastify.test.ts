import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
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
import { honoAnswer, refusalCases, type Seen } from '../test/adapters.js'
import { GLOBAL_SECRET, testServer, USERS } from '../test/harness.js'
import type { Principal, Verifier } from '../verifier.js'
import { createVerifier } from '../verifier.js'
import { leashPlugin, leashRoutes, requireSession } from './fastify.js'

// `@leash/reference-server/fastify`: the preHandler answers exactly what the Hono middleware answers, the
// plugin decorates without encapsulation, and leashRoutes serves Leash's routes under a registration
// prefix as the Node server serves them. Driven with inject (no socket), one test over a real socket.

const apps: FastifyInstance[] = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

const seenOf = (res: LightMyRequestResponse): Seen => ({
  status: res.statusCode,
  wwwAuthenticate: (res.headers['www-authenticate'] as string | undefined) ?? null,
  retryAfter: (res.headers['retry-after'] as string | undefined) ?? null,
  body: res.json(),
})

/** A Fastify app with protected routes of its own, through the plugin's decorator, recording who reached them. */
async function protectedApi(leash: Pick<Verifier, 'verify'>, log?: (e: LogEntry) => void) {
  const reached: Array<Principal | null> = []
  const app = Fastify()
  apps.push(app)
  await app.register(leashPlugin, { leash, ...(log && { log }) })
  app.get('/user', { preHandler: app.leash.requireSession() }, async (request) => {
    reached.push(request.leash)
    return { ok: true }
  })
  app.get('/admin', { preHandler: app.leash.requireSession({ role: 'admin' }) }, async () => ({ ok: true }))
  app.get('/either', { preHandler: requireSession(leash, { role: ['user', 'admin'] }) }, async () => ({
    ok: 1,
  }))
  app.get('/open', async (request) => ({ leash: request.leash }))
  const get = (url: string, authorization?: string) =>
    app.inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } })
  return { app, reached, get }
}

describe('requireSession and the leash plugin (Fastify)', () => {
  it('answers every refusal exactly as the Hono middleware does, and never reaches the handler', async () => {
    const s = await testServer()
    const cases = await refusalCases(s)
    const hono = honoAnswer(s)
    const api = await protectedApi(s.app)
    for (const { code, authorization, role } of cases) {
      const seen = seenOf(await api.get(role ? '/admin' : '/user', authorization))
      expect(seen, `${code}: ${authorization}`).toEqual(await hono(authorization, role))
      expect(seen.body).toMatchObject({ error: { code } })
    }
    expect(api.reached).toEqual([])
  })

  it('puts the principal at request.leash (null on routes without the check); a list of roles lets any in', async () => {
    const s = await testServer()
    const api = await protectedApi(s.app)
    const alice = await s.login('alice')
    const root = await s.login('root')
    expect((await api.get('/user', `Bearer ${alice.access_token}`)).statusCode).toBe(200)
    const verdict = await s.app.verify(`Bearer ${alice.access_token}`)
    expect(api.reached).toEqual([verdict.ok && verdict.principal])
    expect(api.reached[0]).toMatchObject({ user: { username: 'alice', role: 'user' } })
    expect((await api.get('/admin', `Bearer ${root.access_token}`)).statusCode).toBe(200)
    expect((await api.get('/either', `Bearer ${alice.access_token}`)).statusCode).toBe(200)
    expect((await api.get('/either', `Bearer ${root.access_token}`)).statusCode).toBe(200)
    expect((await api.get('/open', `Bearer ${alice.access_token}`)).json()).toEqual({ leash: null })
  })

  it('a store that cannot be reached: 503 store_unavailable with Retry-After, logged, never the app’s 500', async () => {
    const store = createMemoryStore()
    const s = await testServer({ store })
    const logged: LogEntry[] = []
    const api = await protectedApi(s.app, (entry) => logged.push(entry))
    const alice = await s.login('alice')
    store.findUserById = () => Promise.reject(new StoreUnavailableError(new Error('ECONNREFUSED')))
    expect(seenOf(await api.get('/user', `Bearer ${alice.access_token}`))).toEqual({
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
    expect(api.reached).toEqual([])
  })

  it('is not encapsulated: registered on the app, it decorates the app itself and the plugins under it', async () => {
    const s = await testServer()
    const alice = await s.login('alice')
    const app = Fastify()
    apps.push(app)
    await app.register(leashPlugin, { leash: s.app })
    // An encapsulated plugin would have decorated a child context of its own, leaving app.leash undefined.
    app.get('/user', { preHandler: app.leash.requireSession() }, async (request) => request.leash!.user)
    await app.register(async (child) => {
      child.get(
        '/child',
        { preHandler: child.leash.requireSession() },
        async (request) => request.leash!.user,
      )
    })
    const headers = { authorization: `Bearer ${alice.access_token}` }
    const user = { id: alice.user.id, username: 'alice', role: 'user' }
    expect((await app.inject({ url: '/user', headers })).json()).toEqual(user)
    expect((await app.inject({ url: '/child', headers })).json()).toEqual(user)
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
    const api = await protectedApi(createVerifier({ store, bus, globalSecret: GLOBAL_SECRET }))
    const login = await issuer.request('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'alice-password', refresh_transport: 'body' }),
    })
    const token = `Bearer ${((await login.json()) as { access_token: string }).access_token}`
    expect((await api.get('/user', token)).statusCode).toBe(200)
    expect((await api.get('/user', token)).statusCode).toBe(200)
    await issuer.admin.revoke(api.reached[0]!.user.id)
    expect(seenOf(await api.get('/user', token))).toMatchObject({
      status: 401,
      body: { error: { code: 'invalid_token' } },
    })
  })
})

const hasher = createPbkdf2Hasher(1_000)
const alice = { username: 'alice', password: 'alice-password' }

/** A Fastify app with Leash's routes registered under `prefix`, and routes of its own with JSON bodies. */
async function mountedApi(
  prefix: string | undefined,
  options: { config?: Partial<ServerConfig>; routes?: Hono } = {},
) {
  const store = createMemoryStore()
  const leash = createApp({
    store,
    hasher,
    globalSecret: GLOBAL_SECRET,
    config: { secureCookies: false, ...options.config },
    clientIp: nodeClientIp,
    authorization: nodeAuthorization,
  })
  await seedUsers(store, hasher, USERS, Date.now())
  const app = Fastify()
  apps.push(app)
  await app.register(leashRoutes, {
    leash: options.routes ? { endpoints: options.routes } : leash,
    ...(prefix && { prefix }),
  })
  app.post('/echo', async (request) => ({ body: request.body }))
  app.get('/identity/other', async () => ({ host: 'other' }))
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ host: 'not found' }))
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...headers },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    })
  return { app, store, post }
}

const refreshLine = (res: LightMyRequestResponse) =>
  ([res.headers['set-cookie'] ?? []].flat() as string[]).find((l) => l.startsWith('leash_refresh='))
const cookieOf = (line: string | undefined) => /^leash_refresh=([^;]*)/.exec(line ?? '')?.[1]

describe('leashRoutes (Fastify)', () => {
  it('serves /identity/auth/*: the refresh cookie is scoped to Path=/identity/auth, set, rotated and cleared', async () => {
    const { app, post } = await mountedApi('/identity')
    const login = await post('/identity/auth/login?from=test', alice)
    expect(login.statusCode).toBe(200)
    expect(login.headers['cache-control']).toBe('no-store')
    expect(login.headers['x-content-type-options']).toBe('nosniff')
    const set = refreshLine(login)
    expect(set).toMatch(/; Path=\/identity\/auth; HttpOnly; SameSite=Strict; Max-Age=43200$/)
    const { access_token } = login.json() as { access_token: string }
    const me = await app.inject({
      url: '/identity/auth/me',
      headers: { authorization: `Bearer ${access_token}` },
    })
    expect(me.json()).toMatchObject({ user: { username: 'alice' } })

    const refreshed = await post('/identity/auth/refresh', {}, { cookie: `leash_refresh=${cookieOf(set)}` })
    expect(refreshed.statusCode).toBe(200)
    const rotated = refreshLine(refreshed)
    expect(rotated).toMatch(/; Path=\/identity\/auth; /)
    expect(cookieOf(rotated)).not.toBe(cookieOf(set))
    const out = await post('/identity/auth/logout', {}, { cookie: `leash_refresh=${cookieOf(rotated)}` })
    expect(out.statusCode).toBe(200)
    expect(refreshLine(out)).toMatch(/^leash_refresh=; Path=\/identity\/auth; .*Max-Age=0/)
  })

  it('leaves the app’s other routes and body parsing alone; an unknown path under auth/ is 404 not_found', async () => {
    const { app, post } = await mountedApi('/identity')
    expect((await app.inject({ url: '/identity/other' })).json()).toEqual({ host: 'other' })
    expect((await post('/auth/login', alice)).json()).toEqual({ host: 'not found' })
    const unknown = await app.inject({ url: '/identity/auth/nope' })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toMatchObject({ error: { code: 'not_found' } })
    expect((await post('/echo', { a: 1 })).json()).toEqual({ body: { a: 1 } })
  })

  it('follows any prefix: nested, a parameter, none', async () => {
    for (const [prefix, url, cookiePath] of [
      ['/api/v2/identity', '/api/v2/identity/auth/login', '/api/v2/identity/auth'],
      ['/:tenant', '/acme/auth/login', '/acme/auth'],
      [undefined, '/auth/login', '/auth'],
    ] as const) {
      const { post } = await mountedApi(prefix)
      const res = await post(url, alice)
      expect(res.statusCode, url).toBe(200)
      expect(refreshLine(res)).toContain(`; Path=${cookiePath}; `)
    }
  })

  it('admin routes under the prefix, for admins only', async () => {
    const { app, post } = await mountedApi('/identity')
    const tokenOf = async (username: string) =>
      (
        (await post('/identity/auth/login', { username, password: `${username}-password` })).json() as {
          access_token: string
        }
      ).access_token
    const list = async (username: string) =>
      app.inject({
        url: '/identity/admin/users',
        headers: { authorization: `Bearer ${await tokenOf(username)}` },
      })
    expect((await list('root')).statusCode).toBe(200)
    expect(seenOf(await list('alice'))).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } })
  })

  it('reads the body itself: the 16 KiB limit (not Fastify’s), bad JSON 400, any content type', async () => {
    const { app, post } = await mountedApi('/identity')
    const big = await post('/identity/auth/login', { ...alice, pad: 'x'.repeat(20_000) })
    expect(big.statusCode).toBe(413)
    expect(big.json()).toMatchObject({ error: { code: 'payload_too_large' } })
    const bad = await post('/identity/auth/login', '{')
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ error: { code: 'invalid_json' } })
    // A content type Fastify has no parser for reaches Leash, which answers it as the server does (415);
    // a body with no content type at all, likewise.
    const text = await post('/identity/auth/login', JSON.stringify(alice), { 'content-type': 'text/plain' })
    expect(text.statusCode).toBe(415)
    expect(text.json()).toMatchObject({ error: { code: 'unsupported_media_type' } })
    const untyped = await app.inject({
      method: 'POST',
      url: '/identity/auth/login',
      payload: Buffer.from('{}'),
    })
    expect(untyped.statusCode).toBe(415)
  })

  it('over a real socket: streamed bodies through the limit, attempts counted per client address', async () => {
    const { app } = await mountedApi('/identity', { config: { ipRate: 2 } })
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    const post = (body: BodyInit) =>
      fetch(`${url}/identity/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
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
    const wrong = { username: 'alice', password: 'wrong-password' }
    expect((await post(JSON.stringify(wrong))).status).toBe(401)
    expect((await post(JSON.stringify({ ...wrong, username: 'bob' }))).status).toBe(401)
    const limited = await post(JSON.stringify(alice))
    expect(limited.status).toBe(429)
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } })
  })

  it('answers its own errors as the protocol says, never through the app’s error handler', async () => {
    const { app, post, store } = await mountedApi('/identity')
    app.setErrorHandler((_error, _request, reply) => reply.code(500).send({ host: 'error' }))
    store.findUserByUsername = () => Promise.reject(new StoreUnavailableError(new Error('ECONNREFUSED')))
    const down = await post('/identity/auth/login', alice)
    expect(down.statusCode).toBe(503)
    expect(down.headers['retry-after']).toBe('1')
    expect(down.json()).toMatchObject({ error: { code: 'store_unavailable' } })
  })

  it('sends every Set-Cookie of a response as its own header line', async () => {
    const routes = new Hono()
    routes.get('/auth/two', (c) => {
      c.header('Set-Cookie', 'a=1; Path=/', { append: true })
      c.header('Set-Cookie', 'b=2; Path=/', { append: true })
      return c.json({ ok: true })
    })
    const { app } = await mountedApi('/identity', { routes })
    expect((await app.inject({ url: '/identity/auth/two' })).headers['set-cookie']).toEqual([
      'a=1; Path=/',
      'b=2; Path=/',
    ])
  })
})
