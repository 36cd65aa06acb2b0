import { describe, expect, it } from 'vitest'
import { createApp } from '../app.js'
import { createPbkdf2Hasher } from '../auth/passwords.js'
import { seedUsers } from '../seed.js'
import { createMemoryStore } from '../store/memory.js'
import { GLOBAL_SECRET } from '../test/harness.js'
import { nodeAuthorization, nodeClientIp, nodeCookie } from './node-request.js'

describe('the Node request readers off a socket', () => {
  it('serve app.request() too: the address is "unknown", the header read off the request', async () => {
    const store = createMemoryStore()
    const hasher = createPbkdf2Hasher(1_000)
    await seedUsers(store, hasher, [{ username: 'alice', password: 'alice-password' }], Date.now())
    const app = createApp({
      store,
      hasher,
      globalSecret: GLOBAL_SECRET,
      clientIp: nodeClientIp,
      authorization: nodeAuthorization,
      config: { ipRate: 1 },
    })
    const login = () =>
      app.request('/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'alice', password: 'alice-password', refresh_transport: 'body' }),
      })
    const first = await login()
    expect(first.status).toBe(200)
    const { access_token } = (await first.json()) as { access_token: string }
    expect(
      (await app.request('/auth/me', { headers: { authorization: `Bearer ${access_token}` } })).status,
    ).toBe(200)
    expect((await login()).status).toBe(429) // every socket-less caller shares the one budget
  })
})

describe('nodeCookie', () => {
  it('reads the Cookie lines as Node joins them ("; "), so a refresh cookie opening a second line is found', async () => {
    const store = createMemoryStore()
    const hasher = createPbkdf2Hasher(1_000)
    await seedUsers(store, hasher, [{ username: 'alice', password: 'alice-password' }], Date.now())
    const options = { store, hasher, globalSecret: GLOBAL_SECRET, config: { secureCookies: false } }
    const withNode = createApp({ ...options, cookie: nodeCookie })
    const plain = createApp(options)
    const login = await withNode.request('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
    })
    const token = /leash_refresh=([^;]*)/.exec(login.headers.get('set-cookie') ?? '')![1]!
    // Two Cookie lines, `theme=dark` and `leash_refresh=…`: a Fetch Headers joins them with ", ", Node's
    // IncomingMessage with "; ". Only the latter keeps the second line's cookie a cookie of its own.
    const refresh = (app: typeof plain) =>
      app.request(
        '/auth/refresh',
        { method: 'POST', headers: { cookie: `theme=dark, leash_refresh=${token}` } },
        { incoming: { headers: { cookie: `theme=dark; leash_refresh=${token}` }, socket: {} } },
      )
    expect((await refresh(plain)).status).toBe(401) // the value of `theme`, never a cookie of its own
    expect((await refresh(withNode)).status).toBe(200)
  })
})

describe('createApp without clientIp', () => {
  it('warns once, at creation, that every caller shares one budget', async () => {
    const entries: Array<Record<string, unknown>> = []
    const log = (e: Record<string, unknown>) => entries.push(e)
    const store = createMemoryStore()
    const app = createApp({ store, globalSecret: GLOBAL_SECRET, log, logRequests: false })
    const warnings = () => entries.filter((e) => e.level === 'warn')
    expect(warnings()).toHaveLength(1)
    expect(String(warnings()[0]!.msg)).toMatch(/clientIp/)
    await app.request('/healthz')
    expect(warnings()).toHaveLength(1)
    entries.length = 0
    createApp({ store, globalSecret: GLOBAL_SECRET, log, clientIp: nodeClientIp })
    expect(warnings()).toEqual([])
  })
})
