import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { ServerConfig } from '../config.js'
import { StoreUnavailableError } from '../errors.js'
import { createMemoryStore } from '../store/memory.js'
import { codeOf, testServer } from '../test/harness.js'

// `app.endpoints`: /auth/* and /admin/* mounted by a host app under a prefix of its choosing, with the refresh
// cookie's Path following the prefix, and Leash's own error handling, limits and headers going with them.
// What every framework's mount shares (a session's cookie set, rotated and cleared under the prefix, admin
// routes under it) is in adapters/adapter.conformance.test.ts, which runs it for Hono too.

/** A host app of its own (its own error and not-found answers) with Leash under `prefix`. */
async function hosted(prefix: string, config: Partial<ServerConfig> = {}) {
  const store = createMemoryStore()
  const s = await testServer({ store, config })
  const host = new Hono()
  host.onError((_error, c) => c.json({ host: 'error' }, 500))
  host.notFound((c) => c.json({ host: 'not found' }, 404))
  host.route(prefix, s.app.endpoints)
  host.post('/upload', async (c) => c.json({ bytes: (await c.req.text()).length }))
  host.get('/plain', (c) => c.text('plain'))
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    host.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
  return { s, store, host, post }
}

/** The refresh cookie line of a response. */
const setCookie = (res: Response) => res.headers.getSetCookie().find((line) => line.includes('leash_refresh'))

const alice = { username: 'alice', password: 'alice-password' }

describe('app.endpoints mounted under a prefix', () => {
  it('follows any prefix, nested or at the root; with LEASH_COOKIE_HOST_PREFIX the cookie is Path=/', async () => {
    for (const [prefix, path] of [
      ['/api/v2/identity', '/api/v2/identity/auth'],
      ['/', '/auth'],
    ]) {
      const { post } = await hosted(prefix!)
      const res = await post(`${prefix === '/' ? '' : prefix}/auth/login`, alice)
      expect(res.status).toBe(200)
      expect(setCookie(res)).toContain(`; Path=${path}; `)
    }
    // A prefix with a parameter: whatever the path holds cannot add an attribute to the cookie.
    const tenant = await hosted('/:tenant')
    const injected = await tenant.post('/x;Domain=evil.example;Path=/auth/login', alice)
    expect(injected.status).toBe(200)
    expect(setCookie(injected)).toMatch(
      /^leash_refresh=[^;]+; Path=\/x%3BDomain=evil.example%3BPath=\/auth; HttpOnly;/,
    )
    const { post } = await hosted('/identity', { cookieHostPrefix: true, secureCookies: true })
    const res = await post('https://app.example/identity/auth/login', alice)
    expect(res.status).toBe(200)
    expect(setCookie(res)).toMatch(
      /^__Host-leash_refresh=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/,
    )
  })

  it('answers its own errors as the protocol says, never through the host’s error handler', async () => {
    const { post, store } = await hosted('/identity')
    const bad = await post('/identity/auth/login', '{')
    expect(bad.status).toBe(400)
    expect(await codeOf(bad)).toBe('invalid_json')
    const big = await post('/identity/auth/login', { ...alice, pad: 'x'.repeat(20_000) })
    expect(big.status).toBe(413)
    expect(await codeOf(big)).toBe('payload_too_large')
    const missing = await post('/identity/auth/logout-all', {})
    expect(missing.status).toBe(401)
    expect(missing.headers.get('www-authenticate')).toBe('Bearer error="invalid_request"')
    store.findUserByUsername = () => Promise.reject(new StoreUnavailableError(new Error('ECONNREFUSED')))
    const down = await post('/identity/auth/login', alice)
    expect(down.status).toBe(503)
    expect(down.headers.get('retry-after')).toBe('1')
    expect(await codeOf(down)).toBe('store_unavailable')
  })

  it('mounted at the root, leaves the host’s own routes alone: no body limit, no Leash headers', async () => {
    const { post, host } = await hosted('/')
    const upload = await post('/upload', 'x'.repeat(20_000))
    expect(upload.status).toBe(200)
    expect(await upload.json()).toEqual({ bytes: 20_000 })
    const plain = await host.request('/plain')
    expect(plain.headers.get('cache-control')).toBeNull()
    expect(plain.headers.get('x-content-type-options')).toBeNull()
  })
})

describe('the app itself stays a whole Hono app', () => {
  it('takes routes added after creation, and mounts inside another app', async () => {
    const s = await testServer()
    expect(Array.isArray(s.app.routes)).toBe(true) // Hono's own list, not shadowed by `endpoints`
    s.app.get('/extra', (c) => c.text('extra'))
    expect(await (await s.app.request('/extra')).text()).toBe('extra')
    const outer = new Hono()
    outer.route('/v1', s.app)
    const login = await outer.request('/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alice),
    })
    expect(login.status).toBe(200)
    expect(await (await outer.request('/v1/extra')).text()).toBe('extra')
  })
})
