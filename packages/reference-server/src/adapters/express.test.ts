import type { AddressInfo } from 'node:net'
import express, { type ErrorRequestHandler } from 'express'
import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, type LeashApp } from '../app.js'
import { createPbkdf2Hasher } from '../auth/passwords.js'
import { createInProcessBus } from '../bus/in-process.js'
import type { ServerConfig } from '../config.js'
import { StoreUnavailableError } from '../errors.js'
import type { LogEntry } from '../log.js'
import { nodeAuthorization, nodeClientIp } from '../node/node-request.js'
import { seedUsers } from '../seed.js'
import { createMemoryStore } from '../store/memory.js'
import { honoAnswer, refusalCases, seenOf } from '../test/adapters.js'
import { GLOBAL_SECRET, testServer, USERS } from '../test/harness.js'
import type { Principal } from '../verifier.js'
import { createVerifier } from '../verifier.js'
import { leashRouter, requireSession } from './express.js'

// `@leash/reference-server/express`: requireSession answers exactly what the Hono middleware answers, and
// leashRouter serves Leash's routes under a prefix as the Node server serves them. Over a real socket:
// Express has no in-memory request.

const servers: Array<{ close(): void }> = []
afterEach(() => {
  for (const s of servers.splice(0)) s.close()
})

/** Serves an Express app on an ephemeral loopback port; closed after the test. */
async function serve(app: express.Express): Promise<string> {
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((ready) => server.once('listening', () => ready()))
  servers.push({ close: () => server.close() && server.closeAllConnections() })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** An Express app with two protected routes of its own (one for admins), recording who reached them. */
async function protectedApi(leash: Parameters<typeof requireSession>[0], log?: (e: LogEntry) => void) {
  const reached: Principal[] = []
  const app = express()
  app.get('/user', requireSession(leash, { ...(log && { log }) }), (req, res) => {
    reached.push(req.leash!)
    res.json({ ok: true })
  })
  app.get('/admin', requireSession(leash, { role: 'admin' }), (_req, res) => res.json({ ok: true }))
  app.get('/either', requireSession(leash, { role: ['user', 'admin'] }), (_req, res) => res.json({ ok: 1 }))
  app.use(((_error, _req, res, _next) =>
    res.status(500).json({ own: 'error handler' })) as ErrorRequestHandler)
  const url = await serve(app)
  const get = (path: string, authorization?: string) =>
    fetch(`${url}${path}`, { headers: authorization === undefined ? {} : { authorization } })
  return { reached, get }
}

describe('requireSession (Express)', () => {
  it('answers every refusal exactly as the Hono middleware does, and never reaches the handler', async () => {
    const s = await testServer()
    const cases = await refusalCases(s)
    const hono = honoAnswer(s)
    const api = await protectedApi(s.app)
    for (const { code, authorization, role } of cases) {
      const seen = await seenOf(await api.get(role ? '/admin' : '/user', authorization))
      expect(seen, `${code}: ${authorization}`).toEqual(await hono(authorization, role))
      expect(seen.body).toMatchObject({ error: { code } })
    }
    expect(cases.map((c) => c.code)).toEqual(
      expect.arrayContaining(['missing_token', 'token_expired', 'user_disabled', 'forbidden']),
    )
    expect(api.reached).toEqual([])
  })

  it('puts the principal at req.leash; a list of roles lets any of them in', async () => {
    const s = await testServer()
    const api = await protectedApi(s.app)
    const alice = await s.login('alice')
    const root = await s.login('root')
    expect((await api.get('/user', `Bearer ${alice.access_token}`)).status).toBe(200)
    expect(api.reached).toEqual([
      await s.app.verify(`Bearer ${alice.access_token}`).then((r) => r.ok && r.principal),
    ])
    expect(api.reached[0]).toMatchObject({
      user: { username: 'alice', role: 'user' },
      sessionId: alice.session.id,
    })
    expect((await api.get('/admin', `Bearer ${root.access_token}`)).status).toBe(200)
    expect((await api.get('/either', `Bearer ${alice.access_token}`)).status).toBe(200)
    expect((await api.get('/either', `Bearer ${root.access_token}`)).status).toBe(200)
  })

  it('a store that cannot be reached: 503 store_unavailable with Retry-After, logged, never the app’s 500', async () => {
    const store = createMemoryStore()
    const s = await testServer({ store })
    const logged: LogEntry[] = []
    const api = await protectedApi(s.app, (entry) => logged.push(entry))
    const alice = await s.login('alice')
    store.findUserById = () => Promise.reject(new StoreUnavailableError(new Error('ECONNREFUSED')))
    const seen = await seenOf(await api.get('/user', `Bearer ${alice.access_token}`))
    expect(seen).toEqual({
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

  it('runs on a createVerifier of a service that never issues tokens: what the app revokes, it refuses next', async () => {
    const { app, verifier } = await issuerAndVerifier()
    const api = await protectedApi(verifier)
    const token = await login(app, 'alice')
    expect((await api.get('/user', token)).status).toBe(200)
    expect((await api.get('/user', token)).status).toBe(200)
    await app.admin.revoke(api.reached[0]!.user.id)
    const seen = await seenOf(await api.get('/user', token))
    expect(seen).toMatchObject({ status: 401, body: { error: { code: 'invalid_token' } } })
  })
})

const hasher = createPbkdf2Hasher(1_000)

/** An issuing app over a memory store and in-process bus, and a verifier sharing both. */
async function issuerAndVerifier() {
  const store = createMemoryStore()
  const bus = createInProcessBus()
  const app = createApp({ store, bus, hasher, globalSecret: GLOBAL_SECRET, config: { secureCookies: false } })
  await seedUsers(store, hasher, USERS, Date.now())
  return { app, verifier: createVerifier({ store, bus, globalSecret: GLOBAL_SECRET }) }
}

/** Signs in on the app's own /auth/login; the Authorization header of the access token. */
async function login(app: LeashApp, username: string) {
  const res = await app.request('/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: `${username}-password`, refresh_transport: 'body' }),
  })
  return `Bearer ${((await res.json()) as { access_token: string }).access_token}`
}

const alice = { username: 'alice', password: 'alice-password' }

/**
 * An Express app with Leash under `prefix` (made as appFromEnv makes it: the header and the client address
 * read off Node's request), its own routes around it, its own 404 and error handler.
 */
async function mountedApi(
  prefix: string | null,
  options: { config?: Partial<ServerConfig>; before?: (app: express.Express) => void; routes?: Hono } = {},
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
  const app = express()
  options.before?.(app)
  const router = leashRouter(options.routes ? { endpoints: options.routes } : leash)
  if (prefix === null) app.use(router)
  else app.use(prefix, router)
  app.use(express.json())
  app.post('/echo', (req, res) => res.json({ body: req.body }))
  app.get('/identity/other', (_req, res) => res.json({ host: 'other' }))
  app.use((_req, res) => res.status(404).json({ host: 'not found' }))
  app.use(((error, _req, res, _next) =>
    res.status(500).json({ host: 'error', message: String(error.message) })) as ErrorRequestHandler)
  const url = await serve(app)
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
  return { url, leash, store, post }
}

const refreshLine = (res: Response) => res.headers.getSetCookie().find((l) => l.startsWith('leash_refresh='))
const cookieOf = (line: string | undefined) => /^leash_refresh=([^;]*)/.exec(line ?? '')?.[1]

describe('leashRouter (Express)', () => {
  it('serves /identity/auth/*: the refresh cookie is scoped to Path=/identity/auth, set, rotated and cleared', async () => {
    const { url, post } = await mountedApi('/identity')
    const login = await post('/identity/auth/login?from=test', alice)
    expect(login.status).toBe(200)
    expect(login.headers.get('cache-control')).toBe('no-store')
    expect(login.headers.get('x-content-type-options')).toBe('nosniff')
    const set = refreshLine(login)
    expect(set).toMatch(/; Path=\/identity\/auth; HttpOnly; SameSite=Strict; Max-Age=43200$/)
    const { access_token } = (await login.json()) as { access_token: string }
    // Read off Node's request (nodeAuthorization), through the bridge.
    const me = await fetch(`${url}/identity/auth/me`, {
      headers: { authorization: `Bearer ${access_token}` },
    })
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

  it('leaves every other path to the app; answers an unknown path under auth/ or admin/ 404 not_found', async () => {
    const { url, post } = await mountedApi('/identity')
    expect(await (await fetch(`${url}/identity/other`)).json()).toEqual({ host: 'other' })
    expect(await (await post('/auth/login', alice)).json()).toEqual({ host: 'not found' })
    const unknown = await fetch(`${url}/identity/auth/nope`)
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ error: { code: 'not_found' } })
    // The app's own body parser, after the router, still parses the app's own bodies.
    expect(await (await post('/echo', { a: 1 })).json()).toEqual({ body: { a: 1 } })
  })

  it('follows any mount: nested, a parameter, the root', async () => {
    for (const [prefix, path, cookiePath] of [
      ['/api/v2/identity', '/api/v2/identity/auth/login', '/api/v2/identity/auth'],
      ['/:tenant', '/acme/auth/login', '/acme/auth'],
      [null, '/auth/login', '/auth'],
    ] as const) {
      const { post } = await mountedApi(prefix)
      const res = await post(path, alice)
      expect(res.status, path).toBe(200)
      expect(refreshLine(res)).toContain(`; Path=${cookiePath}; `)
    }
  })

  it('admin routes under the prefix, for admins only', async () => {
    const { url, post } = await mountedApi('/identity')
    const tokenOf = async (username: string) =>
      (
        (await (
          await post('/identity/auth/login', { username, password: `${username}-password` })
        ).json()) as {
          access_token: string
        }
      ).access_token
    const list = (token: string) =>
      fetch(`${url}/identity/admin/users`, { headers: { authorization: `Bearer ${token}` } })
    expect((await list(await tokenOf('root'))).status).toBe(200)
    expect(await seenOf(await list(await tokenOf('alice')))).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden' } },
    })
  })

  it('streams the body through the 16 KiB limit, with or without a Content-Length; bad JSON is 400', async () => {
    const { url, post } = await mountedApi('/identity')
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
  })

  it('counts attempts per client address (nodeClientIp reads the socket through the bridge)', async () => {
    const { post } = await mountedApi('/identity', { config: { ipRate: 2 } })
    const wrong = { username: 'alice', password: 'wrong-password' }
    expect((await post('/identity/auth/login', wrong)).status).toBe(401)
    expect((await post('/identity/auth/login', { ...wrong, username: 'bob' })).status).toBe(401)
    const limited = await post('/identity/auth/login', alice)
    expect(limited.status).toBe(429)
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } })
  })

  it('answers its own errors as the protocol says, never through the app’s error handler', async () => {
    const { post, store } = await mountedApi('/identity')
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
    const { url } = await mountedApi('/identity', { routes })
    expect((await fetch(`${url}/identity/auth/two`)).headers.getSetCookie()).toEqual([
      'a=1; Path=/',
      'b=2; Path=/',
    ])
  })

  it('mounted after a body parser that read the body: an error for the app, naming the fix', async () => {
    const { post } = await mountedApi('/identity', { before: (app) => app.use(express.json()) })
    const res = await post('/identity/auth/login', alice)
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual({
      host: 'error',
      message: expect.stringMatching(/mount leashRouter before it/),
    })
  })
})
