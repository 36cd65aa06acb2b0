import { describe, expect, it } from 'vitest'
import { type CookieRequest, createCookieJar } from './msw-cookie-jar.js'

// The msw form's cookie jar, held to what a browser does with fetch/XHR requests from a page.

const PAGE = 'http://app.example.test'
const API = 'http://api.example.test'
const COOKIE = 'leash_refresh=abc; Path=/auth; HttpOnly; SameSite=Strict; Max-Age=60'

/** A request from the page at `page` to `url`, with fetch's credentials mode. */
function request(
  url: string,
  credentials: RequestCredentials = 'include',
  page: string | null = PAGE,
): CookieRequest {
  const parsed = new URL(url)
  return { url: parsed, path: parsed.pathname, credentials, page }
}

function jar(start = 1_000_000) {
  let t = start
  const cookies = createCookieJar(() => t)
  return {
    cookies,
    advance: (ms: number) => {
      t += ms
    },
    /** Stores `line` as the answer to a credentialed request to `origin` + /auth/login. */
    set(line: string, origin = API, page: string | null = PAGE) {
      cookies.store(request(`${origin}/auth/login`, 'include', page), [line])
    },
    sent: (url: string, credentials?: RequestCredentials, page?: string | null) =>
      cookies.header(request(url, credentials, page)),
  }
}

describe('createCookieJar', () => {
  it('keys cookies by origin: scheme, host and port', () => {
    const j = jar()
    j.set(COOKIE)
    expect(j.sent(`${API}/auth/refresh`)).toBe('leash_refresh=abc')
    for (const other of [
      'http://api.example.test:8080',
      'https://api.example.test',
      'http://app.example.test',
    ]) {
      expect(j.sent(`${other}/auth/refresh`)).toBeUndefined()
    }
  })

  it('sends only when the credentials mode allows: include, or same-origin to the page’s own origin', () => {
    const j = jar()
    j.set(COOKIE)
    expect(j.sent(`${API}/auth/refresh`, 'include')).toBe('leash_refresh=abc')
    expect(j.sent(`${API}/auth/refresh`, 'same-origin')).toBeUndefined()
    expect(j.sent(`${API}/auth/refresh`, 'omit')).toBeUndefined()
    // The page's own origin: same-origin (fetch's default) is enough.
    j.set(COOKIE, PAGE)
    expect(j.sent(`${PAGE}/auth/refresh`, 'same-origin')).toBe('leash_refresh=abc')
    expect(j.sent(`${PAGE}/auth/refresh`, 'omit')).toBeUndefined()
    // Without a page (Node), same-origin matches nothing.
    expect(j.sent(`${PAGE}/auth/refresh`, 'same-origin', null)).toBeUndefined()
  })

  it('stores a Set-Cookie only when the credentials mode would let a browser store it', () => {
    const j = jar()
    j.cookies.store(request(`${API}/auth/login`, 'same-origin'), [COOKIE])
    j.cookies.store(request(`${API}/auth/login`, 'omit'), [COOKIE])
    expect(j.sent(`${API}/auth/refresh`)).toBeUndefined()
    j.cookies.store(request(`${PAGE}/auth/login`, 'same-origin'), [COOKIE])
    expect(j.sent(`${PAGE}/auth/refresh`)).toBe('leash_refresh=abc')
  })

  it('honours Path, and defaults it to the request’s directory', () => {
    const j = jar()
    j.set(COOKIE)
    expect(j.sent(`${API}/auth`)).toBe('leash_refresh=abc')
    expect(j.sent(`${API}/auth/refresh`)).toBe('leash_refresh=abc')
    for (const path of ['/authx', '/api/notes', '/', '/admin/auth'])
      expect(j.sent(`${API}${path}`)).toBeUndefined()
    j.set('theme=dark') // set by /auth/login: path /auth
    expect(j.sent(`${API}/api/notes`)).toBeUndefined()
    expect(j.sent(`${API}/auth/me`)).toBe('leash_refresh=abc; theme=dark')
    j.set('wide=1; Path=/')
    // Longer paths first.
    expect(j.sent(`${API}/auth/me`)).toBe('leash_refresh=abc; theme=dark; wide=1')
    expect(j.sent(`${API}/api/notes`)).toBe('wide=1')
  })

  it('honours Max-Age and Expires against the clock; Max-Age=0 deletes; Max-Age wins over Expires', () => {
    const j = jar(Date.UTC(2026, 0, 1))
    j.set(COOKIE)
    j.set(`until=1; Path=/auth; Expires=${new Date(Date.UTC(2026, 0, 1, 0, 0, 30)).toUTCString()}`)
    j.set(`both=1; Path=/auth; Max-Age=10; Expires=${new Date(Date.UTC(2027, 0, 1)).toUTCString()}`)
    j.set('session=1; Path=/auth')
    expect(j.sent(`${API}/auth/me`)).toBe('leash_refresh=abc; until=1; both=1; session=1')
    j.advance(10_000)
    expect(j.sent(`${API}/auth/me`)).toBe('leash_refresh=abc; until=1; session=1')
    j.advance(20_000)
    expect(j.sent(`${API}/auth/me`)).toBe('leash_refresh=abc; session=1')
    j.advance(30_000)
    expect(j.sent(`${API}/auth/me`)).toBe('session=1')
    j.set(COOKIE)
    j.set('leash_refresh=; Path=/auth; Max-Age=0')
    j.set(`session=; Path=/auth; Expires=${new Date(0).toUTCString()}`)
    expect(j.sent(`${API}/auth/me`)).toBeUndefined()
  })

  it('a cookie of the same name on another path is another cookie; clearing one leaves the other', () => {
    const j = jar()
    j.set(COOKIE)
    j.set('leash_refresh=planted; Path=/auth/refresh')
    expect(j.sent(`${API}/auth/refresh`)).toBe('leash_refresh=planted; leash_refresh=abc')
    j.set('leash_refresh=; Path=/auth; Max-Age=0')
    expect(j.sent(`${API}/auth/refresh`)).toBe('leash_refresh=planted')
  })

  it('Secure: set and sent only over https or to localhost', () => {
    const j = jar()
    const secure = `${COOKIE}; Secure`
    j.set(secure)
    expect(j.sent(`${API}/auth/refresh`)).toBeUndefined()
    j.set(secure, 'https://api.example.test', 'https://app.example.test')
    expect(j.sent('https://api.example.test/auth/refresh', 'include', 'https://app.example.test')).toBe(
      'leash_refresh=abc',
    )
    j.set(secure, 'http://localhost:4000', 'http://localhost:3000')
    expect(j.sent('http://localhost:4000/auth/refresh', 'include', 'http://localhost:3000')).toBe(
      'leash_refresh=abc',
    )
  })

  it('SameSite Strict and Lax stay on the page’s site; None needs Secure', () => {
    const j = jar()
    // A page on another site: neither stored nor sent.
    j.set(COOKIE, 'http://api.test')
    j.set('lax=1; Path=/auth', 'http://api.test')
    expect(j.sent('http://api.test/auth/refresh', 'include', null)).toBeUndefined()
    j.set(COOKIE, 'http://api.test', null) // no page: nothing is cross-site
    expect(j.sent('http://api.test/auth/refresh', 'include', null)).toBe('leash_refresh=abc')
    expect(j.sent('http://api.test/auth/refresh', 'include', PAGE)).toBeUndefined()
    // Same site, another origin: sent.
    j.set(COOKIE)
    expect(j.sent(`${API}/auth/refresh`, 'include', PAGE)).toBe('leash_refresh=abc')
    j.set('none=1; Path=/auth; SameSite=None', 'http://api.test')
    j.set('none=1; Path=/auth; SameSite=None; Secure', 'https://api.test', 'https://app.example.test')
    expect(j.sent('https://api.test/auth/refresh', 'include', 'https://app.example.test')).toBe('none=1')
  })

  it('__Host- cookies need Secure, Path=/ and no Domain; __Secure- cookies need Secure', () => {
    const j = jar()
    const origin = 'https://api.example.test'
    const page = 'https://app.example.test'
    for (const line of [
      '__Host-a=1; Path=/; SameSite=Strict',
      '__Host-b=1; Path=/auth; Secure; SameSite=Strict',
      '__Host-c=1; Path=/; Secure; Domain=example.test; SameSite=Strict',
      '__Secure-d=1; Path=/; SameSite=Strict',
      '__Host-ok=1; Path=/; Secure; SameSite=Strict',
      '__Secure-ok=1; Path=/; Secure; SameSite=Strict',
    ])
      j.set(line, origin, page)
    expect(j.sent(`${origin}/auth/refresh`, 'include', page)).toBe('__Host-ok=1; __Secure-ok=1')
  })

  it('clear empties it', () => {
    const j = jar()
    j.set(COOKIE)
    j.cookies.clear()
    expect(j.sent(`${API}/auth/refresh`)).toBeUndefined()
  })
})
