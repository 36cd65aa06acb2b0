import { describe, expect, it } from 'vitest'
import { createApp } from '../app.js'
import { ConfigError, type ServerConfig } from '../config.js'
import { createMemoryStore } from '../store/memory.js'
import { expectCode, GLOBAL_SECRET, type TestServer, testServer } from '../test/harness.js'

// The refresh cookie: its attributes under each setting (Secure always, never, or by the request's
// scheme; the __Host- prefix), and a request carrying two of them, which is refused rather than resolved.

/** The Set-Cookie lines a response sets for `name`, each split into `name=value` and its attributes. */
function cookiesNamed(res: Response, name: string) {
  return res.headers
    .getSetCookie()
    .filter((line) => line.startsWith(`${name}=`))
    .map((line) => {
      const [pair, ...attributes] = line.split(';').map((p) => p.trim())
      return { value: pair!.slice(name.length + 1), attributes }
    })
}

/** The one `name` cookie a response sets. */
function theCookie(res: Response, name = 'leash_refresh') {
  const found = cookiesNamed(res, name)
  expect(found).toHaveLength(1)
  return found[0]!
}

const login = (s: TestServer, username = 'alice', url = 'http://localhost/auth/login') =>
  s.app.request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: `${username}-password` }),
  })

const post = (s: TestServer, path: string, cookie: string, url = `http://localhost${path}`) =>
  s.app.request(url, { method: 'POST', headers: { cookie } })

describe('Secure', () => {
  const cases: Array<[ServerConfig['secureCookies'], 'http' | 'https', boolean]> = [
    [true, 'http', true],
    [true, 'https', true],
    [false, 'http', false],
    [false, 'https', false],
    ['auto', 'http', false],
    ['auto', 'https', true],
  ]
  it.each(cases)(
    'secureCookies %s over %s: Secure is %s, on the cookie set and on the one cleared',
    async (secureCookies, scheme, secure) => {
      const s = await testServer({ config: { secureCookies } })
      const origin = `${scheme}://leash.example`
      const res = await login(s, 'alice', `${origin}/auth/login`)
      expect(res.status).toBe(200)
      const set = theCookie(res)
      expect(set.attributes).toEqual(expect.arrayContaining(['Path=/auth', 'HttpOnly', 'SameSite=Strict']))
      expect(set.attributes.includes('Secure')).toBe(secure)

      const out = await post(s, '/auth/logout', `leash_refresh=${set.value}`, `${origin}/auth/logout`)
      expect(out.status).toBe(200)
      const cleared = theCookie(out)
      expect(cleared.value).toBe('')
      expect(cleared.attributes).toContain('Max-Age=0')
      expect(cleared.attributes.includes('Secure')).toBe(secure)
    },
  )
})

describe('the __Host- prefix (cookieHostPrefix)', () => {
  const config = { secureCookies: true, cookieHostPrefix: true } as const

  it('names the cookie __Host-leash_refresh: Secure, Path=/, no Domain; refresh and logout read it', async () => {
    const s = await testServer({ config })
    const res = await login(s)
    expect(res.status).toBe(200)
    expect(cookiesNamed(res, 'leash_refresh')).toEqual([])
    const set = theCookie(res, '__Host-leash_refresh')
    expect(set.attributes).toEqual(
      expect.arrayContaining(['Path=/', 'Secure', 'HttpOnly', 'SameSite=Strict']),
    )
    expect(set.attributes.some((a) => /^domain=/i.test(a))).toBe(false)

    const refreshed = await post(s, '/auth/refresh', `__Host-leash_refresh=${set.value}`)
    expect(refreshed.status).toBe(200)
    const next = theCookie(refreshed, '__Host-leash_refresh')
    expect(next.attributes).toContain('Path=/')

    const out = await post(s, '/auth/logout', `__Host-leash_refresh=${next.value}`)
    expect(out.status).toBe(200)
    const cleared = theCookie(out, '__Host-leash_refresh')
    expect(cleared.value).toBe('')
    expect(cleared.attributes).toEqual(expect.arrayContaining(['Path=/', 'Max-Age=0', 'Secure']))
  })

  it('ignores a plain leash_refresh cookie, the only name a sibling subdomain could plant', async () => {
    const s = await testServer({ config })
    const planted = theCookie(await login(s, 'bob'), '__Host-leash_refresh').value
    // Bob's valid token, tossed as leash_refresh from a sibling subdomain, does not sign anyone in as bob.
    await expectCode(await post(s, '/auth/refresh', `leash_refresh=${planted}`), 401, 'invalid_refresh_token')
    expect((await post(s, '/auth/refresh', `__Host-leash_refresh=${planted}`)).status).toBe(200)
  })

  it('is refused at start unless Secure is always on', () => {
    for (const secureCookies of ['auto', false] as const) {
      expect(() =>
        createApp({
          store: createMemoryStore(),
          globalSecret: GLOBAL_SECRET,
          config: { cookieHostPrefix: true, secureCookies },
        }),
      ).toThrow(ConfigError)
    }
  })
})

describe('two refresh cookies in one request', () => {
  /** Alice's cookie (the victim's) and Bob's (the attacker's, tossed from a sibling subdomain). */
  async function twoSessions() {
    const s = await testServer()
    const victim = theCookie(await login(s, 'alice')).value
    const planted = theCookie(await login(s, 'bob')).value
    return { s, victim, planted }
  }

  it.each([
    ['the planted cookie first (a longer Path sorts first)', true],
    ['the planted cookie last', false],
  ])('refresh: 401 invalid_refresh_token with %s; neither is cleared or spent', async (_, plantedFirst) => {
    const { s, victim, planted } = await twoSessions()
    const pair = plantedFirst
      ? `leash_refresh=${planted}; theme=dark; leash_refresh=${victim}`
      : `leash_refresh=${victim}; theme=dark; leash_refresh=${planted}`
    const res = await post(s, '/auth/refresh', pair)
    await expectCode(res, 401, 'invalid_refresh_token')
    // Clearing would leave the planted cookie alone in the jar: the next refresh would sign in as bob.
    expect(res.headers.getSetCookie()).toEqual([])
    // Both tokens are still live and unspent.
    for (const token of [victim, planted]) {
      const alone = await post(s, '/auth/refresh', `leash_refresh=${token}`)
      expect(alone.status).toBe(200)
    }
  })

  it('refresh: an empty second cookie counts too', async () => {
    const { s, victim } = await twoSessions()
    await expectCode(
      await post(s, '/auth/refresh', `leash_refresh=${victim}; leash_refresh=`),
      401,
      'invalid_refresh_token',
    )
  })

  it('logout: 401 invalid_refresh_token, and both sessions live on', async () => {
    const { s, victim, planted } = await twoSessions()
    const res = await post(s, '/auth/logout', `leash_refresh=${victim}; leash_refresh=${planted}`)
    await expectCode(res, 401, 'invalid_refresh_token')
    expect(res.headers.getSetCookie()).toEqual([])
    const alice = await s.user('alice')
    const bob = await s.user('bob')
    expect(await s.liveSessions(alice.id)).toHaveLength(1)
    expect(await s.liveSessions(bob.id)).toHaveLength(1)
  })

  it('one cookie of that name among others is read as before', async () => {
    const { s, victim } = await twoSessions()
    const res = await post(s, '/auth/refresh', `theme=dark; leash_refresh=${victim}; leash_refresh_hint=1`)
    expect(res.status).toBe(200)
  })
})

// Cookie tossing through a comma. A sibling subdomain sets `x=a,leash_refresh=<attacker>; Domain=example.com`:
// one cookie named `x` whose value holds a comma, which Chromium keeps and sends as
// `leash_refresh=<victim>; x=a,leash_refresh=<attacker>`. RFC 6265 separates cookies with `;` only.
describe.each([
  ['leash_refresh', {}],
  ['__Host-leash_refresh', { secureCookies: true, cookieHostPrefix: true }],
] as const)('a cookie whose value holds ",%s=…"', (name, config) => {
  async function twoSessions() {
    const s = await testServer({ config })
    const victim = theCookie(await login(s, 'alice'), name).value
    const planted = theCookie(await login(s, 'bob'), name).value
    return { s, victim, planted }
  }

  it("is not a second refresh cookie: the victim's own is read, and only it", async () => {
    const { s, victim, planted } = await twoSessions()
    const res = await post(s, '/auth/refresh', `${name}=${victim}; x=a,${name}=${planted}`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { user: { username: string } }
    expect(body.user.username).toBe('alice')
    // Bob's token was not spent either: it was never read.
    expect((await post(s, '/auth/refresh', `${name}=${planted}`)).status).toBe(200)
  })

  it('alone, carries no refresh cookie: nobody is signed in as the attacker', async () => {
    const { s, planted } = await twoSessions()
    await expectCode(await post(s, '/auth/refresh', `x=a,${name}=${planted}`), 401, 'invalid_refresh_token')
    await expectCode(
      await post(s, '/auth/refresh', `theme=dark; x=a, ${name}=${planted}`),
      401,
      'invalid_refresh_token',
    )
  })
})
