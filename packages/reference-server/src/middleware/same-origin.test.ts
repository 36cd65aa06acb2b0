import { describe, expect, it } from 'vitest'
import type { ServerConfig } from '../config.js'
import { expectCode, testServer } from '../test/harness.js'

// POST /auth/refresh, /auth/logout and /auth/logout-all refuse a request a browser sent from a page of
// another origin: the refresh cookie alone drives them, so a cross-site page must not be able to. Each
// refusal is checked to change nothing: the session still refreshes and its access token still works.

const ROUTES = ['/auth/refresh', '/auth/logout', '/auth/logout-all'] as const

/** A server, alice signed in with the cookie transport, and a way to POST to one of the routes. */
async function signedIn(config: Partial<ServerConfig> = {}) {
  const s = await testServer({ config })
  const res = await s.json('POST', '/auth/login', { username: 'alice', password: 'alice-password' })
  expect(res.status).toBe(200)
  const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!
  const { access_token } = (await res.json()) as { access_token: string }
  const post = (route: string, headers: Record<string, string>, url = `http://localhost${route}`) =>
    s.app.request(url, {
      method: 'POST',
      headers: { cookie, authorization: `Bearer ${access_token}`, ...headers },
    })
  /** The session was not touched: the access token works and the cookie still refreshes (once). */
  const untouched = async () => {
    expect((await s.bearer(access_token)).status).toBe(200)
    expect((await s.json('POST', '/auth/refresh', undefined, { cookie })).status).toBe(200)
  }
  return { s, post, untouched }
}

describe('refresh, logout and logout-all refuse a cross-site request', () => {
  const hostile: Array<[string, Record<string, string>]> = [
    ['another site', { origin: 'https://evil.example' }],
    ['the same host on another port', { origin: 'http://localhost:8080' }],
    ['the same host over https (another scheme)', { origin: 'https://localhost' }],
    ['Origin: null (sandboxed frame, data: or file: page)', { origin: 'null' }],
    ['an empty Origin', { origin: '' }],
    ['two origins in one header', { origin: 'http://localhost, https://evil.example' }],
    [
      'a foreign Origin, whatever Sec-Fetch-Site claims',
      { origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' },
    ],
    ['Origin: null with Sec-Fetch-Site: same-origin', { origin: 'null', 'sec-fetch-site': 'same-origin' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
    ['an unknown Sec-Fetch-Site', { 'sec-fetch-site': 'whatever' }],
  ]
  for (const route of ROUTES) {
    it.each(hostile)(`${route}: 403 origin_not_allowed from %s, and nothing changes`, async (_, headers) => {
      const { post, untouched } = await signedIn()
      await expectCode(await post(route, headers), 403, 'origin_not_allowed')
      await untouched()
    })
  }

  it('a sibling subdomain is another origin: refused although SameSite=Strict would send it the cookie', async () => {
    const { post, untouched } = await signedIn()
    for (const route of ROUTES) {
      const res = await post(route, { origin: 'https://evil.example.com' }, `https://app.example.com${route}`)
      await expectCode(res, 403, 'origin_not_allowed')
    }
    await untouched()
  })
})

describe('refresh, logout and logout-all accept the server’s own origin, listed origins and non-browsers', () => {
  const friendly: Array<[string, Record<string, string>, Partial<ServerConfig>]> = [
    ['Origin: the request URL’s own', { origin: 'http://localhost' }, {}],
    ['a listed origin', { origin: 'https://app.example' }, { corsOrigins: ['https://app.example'] }],
    [
      'a listed origin written with its default port',
      { origin: 'https://app.example' },
      { corsOrigins: ['https://app.example:443'] },
    ],
    ['Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin' }, {}],
    ['Sec-Fetch-Site: none (the user’s own action)', { 'sec-fetch-site': 'none' }, {}],
    ['neither header (curl, a mobile app, a server)', {}, {}],
    [
      'a listed origin, cross-site for the browser',
      { origin: 'https://app.example', 'sec-fetch-site': 'cross-site' },
      { corsOrigins: ['https://app.example'] },
    ],
  ]
  for (const route of ROUTES) {
    it.each(friendly)(`${route}: 200 with %s`, async (_, headers, config) => {
      const { post } = await signedIn(config)
      expect((await post(route, headers)).status).toBe(200)
    })
  }
})

describe('behind a TLS-terminating proxy', () => {
  // The browser is on https://app.example.com; the server sees http://app.example.com/… from the proxy.
  const behindProxy = (route: string) => `http://app.example.com${route}`
  const browser = { origin: 'https://app.example.com' }

  it('without publicOrigin the browser’s https origin is not the server’s, and forwarded headers do not change that', async () => {
    const { post, untouched } = await signedIn()
    const forwarded = {
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'app.example.com',
      forwarded: 'proto=https',
    }
    for (const route of ROUTES) {
      await expectCode(await post(route, browser, behindProxy(route)), 403, 'origin_not_allowed')
      await expectCode(
        await post(route, { ...browser, ...forwarded }, behindProxy(route)),
        403,
        'origin_not_allowed',
      )
    }
    await untouched()
  })

  it('publicOrigin names the origin browsers use, and replaces the request URL’s', async () => {
    const config = { publicOrigin: 'https://app.example.com' }
    for (const route of ROUTES) {
      const refused = await signedIn(config)
      // The plain-http origin the proxy's request shows is no longer the server's own.
      const res = await refused.post(route, { origin: 'http://app.example.com' }, behindProxy(route))
      await expectCode(res, 403, 'origin_not_allowed')
      await refused.untouched()
      const { post } = await signedIn(config)
      expect((await post(route, browser, behindProxy(route))).status).toBe(200)
    }
  })
})
