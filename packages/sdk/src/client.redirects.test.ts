import axios, { type AxiosAdapter, type AxiosError, type InternalAxiosRequestConfig } from 'axios'
import { HttpResponse, http } from 'msw'
import { beforeEach, describe, expect, test } from 'vitest'
import { ALICE, mockBackend, rejection, settle } from '../test/harness.js'
import { LeashError } from './errors.js'

// Issue 16, item 10: the SDK judges an answer (`user_enabled: false`, a 401, a token response) by where it came
// from. XHR and fetch follow redirects silently, so that is the URL after them, not the one the request was sent
// to. evil.test records what reached it.
const { client, server, count } = mockBackend({ accessTtl: 300, idleTimeout: 1800 })
const EVIL = 'https://evil.test'
const seen: { path: string; authorization: string | null; body: string }[] = []
const tokens = {
  access_token: 'forged',
  expires_in: 300,
  user: { id: 'x', username: 'mallory', role: 'admin' },
}
const to = (status: number, path: string) => () =>
  new HttpResponse(null, { status, headers: { Location: `${EVIL}${path}` } })

beforeEach(() => {
  seen.length = 0
  server.use(
    http.all(`${EVIL}/*`, async ({ request }) => {
      const { pathname } = new URL(request.url)
      seen.push({
        path: pathname,
        authorization: request.headers.get('authorization'),
        body: await request.text(),
      })
      if (pathname === '/disabled') return HttpResponse.json({ ok: true, user_enabled: false })
      if (pathname === '/tokens') return HttpResponse.json(tokens)
      return HttpResponse.json({ error: { code: 'token_expired', message: 'm' } }, { status: 401 })
    }),
  )
})

describe('leash.fetch: a redirect to another origin', () => {
  test('its user_enabled: false is not believed, and the token does not follow', async () => {
    const leash = client()
    await leash.login(ALICE)
    server.use(http.get('/api/moved', to(302, '/disabled')))
    const res = await leash.fetch('/api/moved')
    expect(res.redirected).toBe(true)
    expect(await res.json()).toMatchObject({ user_enabled: false })
    expect(leash.store.getState().status).toBe('authenticated')
    expect(seen).toEqual([{ path: '/disabled', authorization: null, body: '' }])
  })

  test('its 401 causes no refresh and no retry', async () => {
    const leash = client()
    await leash.login(ALICE)
    server.use(http.get('/api/moved', to(302, '/401')))
    expect((await leash.fetch('/api/moved')).status).toBe(401)
    expect(count('/auth/refresh')).toBe(0)
    expect(seen).toHaveLength(1)
  })
})

/**
 * The browser's XHR as axios sees it after a redirect it followed (msw's XHR mock does not follow them): the
 * answer of `at` for requests to `paths`, with `request.responseURL` there.
 */
function followedTo(at: string, paths: string[]): AxiosAdapter {
  const xhr = axios.getAdapter('xhr')
  const moved = (config: InternalAxiosRequestConfig) => paths.includes(config.url!)
  return async (config) => {
    const sent = moved(config) ? { ...config, baseURL: undefined, url: at } : config
    const mark = (r?: { request?: unknown }) => {
      if (r && moved(config)) r.request = { responseURL: at }
    }
    try {
      const res = await xhr({ ...sent, headers: sent.headers })
      mark(res)
      return { ...res, config }
    } catch (e) {
      mark(e as AxiosError)
      mark((e as AxiosError).response)
      if ((e as AxiosError).response) (e as AxiosError).response!.config = config
      ;(e as AxiosError).config = config
      throw e
    }
  }
}

describe('leash.http (XHR): an answer that a followed redirect brought from another origin', () => {
  test('user_enabled: false is not believed', async () => {
    const leash = client({
      axios: axios.create({ baseURL: '/', adapter: followedTo(`${EVIL}/disabled`, ['/api/moved']) }),
    })
    await leash.login(ALICE)
    const res = await leash.http.get('/api/moved')
    expect(res.data).toMatchObject({ user_enabled: false })
    expect(leash.store.getState().status).toBe('authenticated')
  })

  test('a 401 causes no refresh, and reaches the app as axios answered it', async () => {
    const leash = client({
      axios: axios.create({ baseURL: '/', adapter: followedTo(`${EVIL}/401`, ['/api/moved']) }),
    })
    await leash.login(ALICE)
    const e = await rejection(leash.http.get('/api/moved'))
    expect(e).not.toBeInstanceOf(LeashError)
    expect(e).toMatchObject({ response: { status: 401 } })
    expect(count('/auth/refresh')).toBe(0)
  })

  test('a login answered with tokens from there does not sign in: as if the API never answered', async () => {
    const leash = client({
      axios: axios.create({ baseURL: '/', adapter: followedTo(`${EVIL}/tokens`, ['/auth/login']) }),
    })
    expect(await rejection(leash.login(ALICE))).toMatchObject({ code: 'network_error' })
    expect(leash.store.getState()).toMatchObject({ status: 'anonymous', accessToken: null })
  })

  test("a refresh answered from there is not taken, and that origin's user_enabled: false ends nothing", async () => {
    const adapter = followedTo(`${EVIL}/disabled`, ['/auth/refresh'])
    const leash = client({ axios: axios.create({ baseURL: '/', adapter }), refreshTransport: 'body' })
    await leash.login(ALICE)
    const before = leash.store.getState().accessToken
    // a network error, retried with backoff (a captive portal goes away), then given up: the session stays
    expect(await settle(rejection(leash.extend()), 500)).toMatchObject({ code: 'network_error' })
    expect(leash.store.getState()).toMatchObject({ status: 'authenticated', accessToken: before })
  })
})

describe("leash.http (Node's http adapter, follow-redirects): a redirect to another origin", () => {
  const node = () => axios.create({ baseURL: location.origin, adapter: 'http' })

  test('an app request: the token does not follow, and the answer is not believed', async () => {
    const leash = client({ axios: node(), refreshTransport: 'body' })
    await leash.login(ALICE)
    server.use(http.get('/api/moved', to(302, '/disabled')))
    const res = await leash.http.get('/api/moved')
    expect(res.data).toMatchObject({ user_enabled: false })
    expect(leash.store.getState().status).toBe('authenticated')
    expect(seen).toEqual([{ path: '/disabled', authorization: null, body: '' }])
  })

  test("Leash's own calls follow no redirect: a 307 would re-send the password (and a refresh token) there", async () => {
    const leash = client({ axios: node(), refreshTransport: 'body' })
    server.use(http.post('/auth/login', to(307, '/tokens')))
    expect(await rejection(leash.login(ALICE))).toMatchObject({ code: 'http_error', status: 307 })
    expect(seen).toEqual([])
    expect(leash.store.getState().status).toBe('anonymous')
    server.resetHandlers()
    await leash.login(ALICE)
    server.use(http.post('/auth/refresh', to(307, '/tokens')))
    expect(await rejection(leash.extend())).toMatchObject({ code: 'http_error', status: 307 })
    expect(seen).toEqual([])
  })
})
