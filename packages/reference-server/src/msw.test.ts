import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { workspaceSourcesPlugin } from '../../../test/workspace-sources.js'
import { createMockBackend } from './msw.js'
import { testServer } from './test/harness.js'

const BASE = 'http://api.test'
const users = [
  { username: 'alice', password: 'alice-password' },
  { username: 'root', password: 'root-password', role: 'admin' as const },
]
const backend = createMockBackend({ baseUrl: BASE, users })
// An API on another origin of the page's site (app.example.test calls api.example.test), which lists the page.
const PAGE = 'http://app.example.test'
const API = 'http://api.example.test'
const sibling = createMockBackend({
  baseUrl: API,
  users,
  pageOrigin: () => PAGE,
  config: { corsOrigins: [PAGE] },
})
const server = setupServer(...backend.handlers, ...sibling.handlers)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(async () => {
  vi.useRealTimers()
  server.resetHandlers()
  await backend.reset()
  await sibling.reset()
})

/** A JSON POST with fetch, in the credentials mode given. */
const post = (url: string, credentials: RequestCredentials, body?: unknown) =>
  fetch(url, {
    method: 'POST',
    credentials,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })

const codeOf = async (res: Response) => ((await res.json()) as { error?: { code?: string } }).error?.code
afterAll(() => server.close())

type Call = { method: string; path: string; body?: unknown; token?: string }
type Result = {
  status: number
  code?: string
  keys: string[]
  userEnabled?: boolean
  wwwAuthenticate: string | null
}

/** One step of a scenario, reduced to what must match between the two: status, code, body keys, headers. */
async function summarize(res: Response): Promise<Result & { json: Record<string, unknown> }> {
  const json = (await res.json()) as Record<string, unknown>
  return {
    status: res.status,
    code: (json.error as { code?: string } | undefined)?.code,
    keys: Object.keys(json).sort(),
    userEnabled: json.user_enabled as boolean | undefined,
    wwwAuthenticate: res.headers.get('www-authenticate'),
    json,
  }
}

/** Runs a scenario given a way to send a request; tokens flow from step to step. */
async function scenario(send: (call: Call) => Promise<Response>, disable: () => Promise<void>) {
  const out: Result[] = []
  const step = async (call: Call) => {
    const { json, ...summary } = await summarize(await send(call))
    out.push(summary)
    return json
  }
  const login = await step({
    method: 'POST',
    path: '/auth/login',
    body: { username: 'alice', password: 'alice-password' },
  })
  const token = login.access_token as string
  await step({ method: 'POST', path: '/auth/login', body: { username: 'alice', password: 'wrong-password' } })
  await step({ method: 'GET', path: '/auth/me', token })
  await step({ method: 'POST', path: '/api/notes', body: { text: 'hello' }, token })
  await step({ method: 'GET', path: '/api/notes', token })
  await step({ method: 'GET', path: '/api/notes' })
  await step({ method: 'GET', path: '/auth/sessions', token })
  await step({ method: 'DELETE', path: '/auth/sessions/no-such-session', token })
  const refreshed = await step({ method: 'POST', path: '/auth/refresh' })
  const next = refreshed.access_token as string
  await step({ method: 'POST', path: '/auth/logout', token: next })
  await step({ method: 'GET', path: '/auth/me', token: next })
  const again = await step({
    method: 'POST',
    path: '/auth/login',
    body: { username: 'alice', password: 'alice-password' },
  })
  await disable()
  await step({ method: 'GET', path: '/api/notes', token: again.access_token as string })
  return out
}

describe('createMockBackend', () => {
  it('answers a whole scenario exactly like the server', async () => {
    const real = await testServer({ users })
    let cookie = ''
    const viaApp = await scenario(
      async ({ method, path, body, token }) => {
        const headers: Record<string, string> = {}
        if (body !== undefined) headers['content-type'] = 'application/json'
        if (token) headers.authorization = `Bearer ${token}`
        if (cookie && path.startsWith('/auth/')) headers.cookie = cookie
        const res = await real.app.request(path, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        })
        const set = res.headers.get('set-cookie')
        if (set) cookie = set.split(';')[0]!.endsWith('=') ? '' : set.split(';')[0]!
        return res
      },
      async () => {
        const alice = await real.store.findUserByUsername('alice')
        await real.app.admin.disable(alice!.id)
      },
    )
    const viaMsw = await scenario(
      ({ method, path, body, token }) =>
        fetch(`${BASE}${path}`, {
          method,
          credentials: 'include', // another origin: a browser sends and keeps its cookies only with this
          headers: {
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      () => backend.admin.disable('alice'),
    )
    expect(viaMsw).toEqual(viaApp)
    // The scenario went where it should: refresh by cookie worked, logout ended the session, disable showed.
    expect(viaApp.map((r) => r.status)).toEqual([
      200, 401, 200, 201, 200, 401, 200, 404, 200, 200, 401, 200, 403,
    ])
    expect(viaApp.at(-1)).toMatchObject({ code: 'user_disabled', userEnabled: false })
  })

  it('follows fake timers: the access token expires when the test moves time', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const login = await fetch(`${BASE}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
    })
    const { access_token, expires_in } = (await login.json()) as { access_token: string; expires_in: number }
    const me = () => fetch(`${BASE}/auth/me`, { headers: { authorization: `Bearer ${access_token}` } })
    expect((await me()).status).toBe(200)
    vi.advanceTimersByTime(expires_in * 1000)
    const expired = await me()
    expect(expired.status).toBe(401)
    expect(((await expired.json()) as { error: { code: string } }).error.code).toBe('token_expired')
  })

  it('admin helpers refuse to disable or demote the last enabled admin, as the server does', async () => {
    for (const run of [() => backend.admin.disable('root'), () => backend.admin.setRole('root', 'user')]) {
      await expect(run()).rejects.toMatchObject({ status: 409, code: 'last_admin' })
    }
    expect(await backend.admin.user('root')).toMatchObject({ role: 'admin', enabled: true })
    await backend.admin.setRole('alice', 'admin')
    await backend.admin.setRole('root', 'user')
    await expect(backend.admin.disable('alice')).rejects.toMatchObject({ code: 'last_admin' })
    expect(await backend.admin.user('alice')).toMatchObject({ role: 'admin', enabled: true })
  })

  it('keeps the refresh cookie like a browser: only with credentials, and only until it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const alice = { username: 'alice', password: 'alice-password' }
    // Without credentials the Set-Cookie of another origin is dropped.
    expect((await post(`${API}/auth/login`, 'same-origin', alice)).status).toBe(200)
    expect(await codeOf(await post(`${API}/auth/refresh`, 'include'))).toBe('invalid_refresh_token')

    expect((await post(`${API}/auth/login`, 'include', alice)).status).toBe(200)
    // The same refresh request, but not credentialed: no cookie goes with it.
    for (const credentials of ['same-origin', 'omit'] as const) {
      const res = await post(`${API}/auth/refresh`, credentials)
      expect(res.status).toBe(401)
      expect(await codeOf(res)).toBe('invalid_refresh_token')
    }
    expect((await post(`${API}/auth/refresh`, 'include')).status).toBe(200)

    // The cookie's Max-Age is the session's absolute lifetime (43200 s): past it, the jar sends nothing,
    // so the server answers "no refresh token" rather than session_expired.
    vi.advanceTimersByTime(43_200_000)
    expect(await codeOf(await post(`${API}/auth/refresh`, 'include'))).toBe('invalid_refresh_token')
  })

  it('names the page in Origin as a browser does, so the server’s same-origin check applies', async () => {
    const refused = createMockBackend({ baseUrl: 'http://other.example.test', users, pageOrigin: () => PAGE })
    server.use(...refused.handlers)
    // other.example.test does not list the page's origin: a login or a refresh from the page is cross-site.
    const login = await post('http://other.example.test/auth/login', 'include', {
      username: 'alice',
      password: 'alice-password',
    })
    expect(login.status).toBe(403)
    expect(await codeOf(login)).toBe('origin_not_allowed')
    const res = await post('http://other.example.test/auth/refresh', 'include')
    expect(res.status).toBe(403)
    expect(await codeOf(res)).toBe('origin_not_allowed')
    // A same-origin page is the server's own origin.
    const own = createMockBackend({ baseUrl: 'http://own.test', users, pageOrigin: () => 'http://own.test' })
    server.use(...own.handlers)
    expect(
      (
        await post('http://own.test/auth/login', 'same-origin', {
          username: 'alice',
          password: 'alice-password',
        })
      ).status,
    ).toBe(200)
    expect((await post('http://own.test/auth/refresh', 'same-origin')).status).toBe(200)
  })

  it("serves the caller's sessions with the User-Agent a request carries, else the one a browser adds", async () => {
    const devices = createMockBackend({
      baseUrl: 'http://devices.test',
      users,
      userAgent: () => 'Browser/1.0',
    })
    server.use(...devices.handlers)
    const signIn = async (headers: Record<string, string>) => {
      const res = await fetch('http://devices.test/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ username: 'alice', password: 'alice-password', refresh_transport: 'body' }),
      })
      return (await res.json()) as { access_token: string; session: { id: string } }
    }
    const call = (token: string, method: string, path: string) =>
      fetch(`http://devices.test${path}`, { method, headers: { authorization: `Bearer ${token}` } })
    const page = await signIn({})
    const own = await signIn({ 'user-agent': 'Explicit/2.0' })
    const listed = (await (await call(own.access_token, 'GET', '/auth/sessions')).json()) as {
      sessions: Array<{ id: string; current: boolean; user_agent: string | null }>
    }
    // Both signed in within one millisecond, maybe: compared by id rather than by order.
    const byId = Object.fromEntries(
      listed.sessions.map(({ id, current, user_agent }) => [id, { current, user_agent }]),
    )
    expect(byId).toEqual({
      [page.session.id]: { current: false, user_agent: 'Browser/1.0' },
      [own.session.id]: { current: true, user_agent: 'Explicit/2.0' },
    })
    const revoked = await call(own.access_token, 'DELETE', `/auth/sessions/${page.session.id}`)
    expect(revoked.status).toBe(200)
    expect(await codeOf(await call(page.access_token, 'GET', '/auth/me'))).toBe('session_revoked')
    expect((await call(own.access_token, 'GET', '/auth/me')).status).toBe(200)
  })

  it('admin helpers act by username and reject an unknown one', async () => {
    await backend.admin.setRole('alice', 'admin')
    expect((await backend.admin.user('alice')).role).toBe('admin')
    await expect(backend.admin.revoke('nobody')).rejects.toThrow(/no user "nobody"/)
  })

  it('serves the same OpenAPI document as the server', async () => {
    const res = await fetch(`${BASE}/openapi.json`)
    expect(res.status).toBe(200)
    const { app } = await testServer()
    expect(await res.json()).toEqual(await (await app.request('/openapi.json')).json())
  })

  it('reset gives a fresh store with the users seeded again', async () => {
    const register = await fetch(`${BASE}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'carol', password: 'carol-password' }),
    })
    expect(register.status).toBe(201)
    await backend.reset()
    await expect(backend.admin.user('carol')).rejects.toThrow()
    expect((await backend.admin.user('alice')).username).toBe('alice')
  })

  it('bundles for the browser: nothing in its import graph needs Node', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('./msw.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      external: ['msw'],
      plugins: [workspaceSourcesPlugin()],
      logLevel: 'silent',
    })
    expect(result.errors).toEqual([])
    expect(result.outputFiles[0]!.text).not.toMatch(/from ["']node:/)
  })
})
