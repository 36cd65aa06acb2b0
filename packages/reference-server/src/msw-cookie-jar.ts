/** What a browser knows about a request when it decides which cookies go with it and which it keeps. */
export interface CookieRequest {
  /** The request's URL as the page sent it: its origin keys the jar and decides `Secure`. */
  url: URL
  /** The path the server sees (after a `baseUrl` prefix): what `Path` is matched against. */
  path: string
  /** Fetch's credentials mode (`XMLHttpRequest.withCredentials` maps to `include`, else `same-origin`). */
  credentials: RequestCredentials
  /** The page's origin (`location.origin`); null outside a page (Node), where there is no top-level site. */
  page: string | null
}

/** A browser's cookie jar, reduced to what the refresh cookie needs. */
export interface CookieJar {
  /** The `Cookie` header a browser would send with this request, or undefined. */
  header(request: CookieRequest): string | undefined
  /** Keeps (or deletes) the cookies of a response's `Set-Cookie` lines, where a browser would. */
  store(request: CookieRequest, setCookie: string[]): void
  clear(): void
}

interface StoredCookie {
  name: string
  value: string
  path: string
  /** Epoch ms; null: until the jar is cleared (a session cookie). */
  expiresAt: number | null
  secure: boolean
  sameSite: 'strict' | 'lax' | 'none'
}

/** `Secure` cookies are set and sent only over https, or to a host a browser trusts as such (localhost). */
function trustworthy(url: URL): boolean {
  const host = url.hostname
  return (
    url.protocol === 'https:' ||
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\.\d+\.\d+\.\d+$/.test(host) ||
    host === '[::1]'
  )
}

/** Scheme and registrable domain, taken as the host's last two labels (no public-suffix list: a mock). */
function site(origin: string): string {
  const { protocol, hostname } = new URL(origin)
  const ip = /^[\d.]+$/.test(hostname) || hostname.startsWith('[')
  return `${protocol}//${ip ? hostname : hostname.split('.').slice(-2).join('.')}`
}

/** The credentials mode lets cookies travel both ways: `include`, or `same-origin` to the page's own origin. */
function credentialed(request: CookieRequest): boolean {
  if (request.credentials === 'include') return true
  return request.credentials === 'same-origin' && request.page === request.url.origin
}

/** A request to another site than the page's: `SameSite=Strict` and `Lax` cookies stay home. */
const crossSite = (request: CookieRequest) =>
  request.page !== null && site(request.page) !== site(request.url.origin)

/** RFC 6265 §5.1.4: `/auth` matches `/auth` and `/auth/refresh`, not `/authx`. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true
  if (!requestPath.startsWith(cookiePath)) return false
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/'
}

/** RFC 6265 §5.1.4: the directory of the request path, for a cookie set without `Path`. */
function defaultPath(requestPath: string): string {
  const slash = requestPath.lastIndexOf('/')
  return slash <= 0 ? '/' : requestPath.slice(0, slash)
}

/** One `Set-Cookie` line as a browser would keep it, or null when a browser would ignore it. */
function parse(line: string, request: CookieRequest, now: number): StoredCookie | null {
  const [pair = '', ...parts] = line.split(';')
  const eq = pair.indexOf('=')
  if (eq <= 0) return null
  const name = pair.slice(0, eq).trim()
  const value = pair.slice(eq + 1).trim()
  const attributes = new Map<string, string>()
  for (const part of parts) {
    const at = part.indexOf('=')
    const key = (at === -1 ? part : part.slice(0, at)).trim().toLowerCase()
    attributes.set(key, at === -1 ? '' : part.slice(at + 1).trim())
  }
  const secure = attributes.has('secure')
  const rawPath = attributes.get('path')
  const path = rawPath?.startsWith('/') ? rawPath : defaultPath(request.path)
  const sameSite = attributes.get('samesite')?.toLowerCase()
  const cookie: StoredCookie = {
    name,
    value,
    path,
    expiresAt: null,
    secure,
    sameSite: sameSite === 'strict' || sameSite === 'none' ? sameSite : 'lax',
  }
  if (secure && !trustworthy(request.url)) return null
  if (name.startsWith('__Secure-') && !secure) return null
  if (name.startsWith('__Host-') && (!secure || path !== '/' || attributes.has('domain'))) return null
  if (cookie.sameSite === 'none' ? !secure : crossSite(request)) return null
  const maxAge = attributes.get('max-age')
  const expires = attributes.get('expires')
  if (maxAge !== undefined && /^-?\d+$/.test(maxAge)) cookie.expiresAt = now + Number(maxAge) * 1000
  else if (expires !== undefined && !Number.isNaN(Date.parse(expires))) cookie.expiresAt = Date.parse(expires)
  return cookie
}

/**
 * A cookie jar that behaves like a browser's for the requests the msw form sees: keyed by origin (scheme,
 * host, port), sent and stored only when the credentials mode allows, honouring `Path`, `Max-Age`/`Expires`
 * (against `now`, which fake timers move), `Secure`, `SameSite` and the `__Host-`/`__Secure-` prefixes.
 * `Domain` is ignored: every cookie is host-only, which is all the server ever sets.
 */
export function createCookieJar(now: () => number): CookieJar {
  const byOrigin = new Map<string, Map<string, StoredCookie>>()
  const key = (c: StoredCookie) => `${c.name};${c.path}`

  return {
    header(request) {
      if (!credentialed(request)) return undefined
      const jar = byOrigin.get(request.url.origin)
      if (!jar) return undefined
      const t = now()
      const sent: StoredCookie[] = []
      for (const [k, cookie] of jar) {
        if (cookie.expiresAt !== null && cookie.expiresAt <= t) jar.delete(k)
        else if (!pathMatches(request.path, cookie.path)) continue
        else if (cookie.secure && !trustworthy(request.url)) continue
        else if (cookie.sameSite !== 'none' && crossSite(request)) continue
        else sent.push(cookie)
      }
      if (sent.length === 0) return undefined
      // Longer paths first, as browsers order them (the stable sort keeps creation order otherwise).
      sent.sort((a, b) => b.path.length - a.path.length)
      return sent.map((c) => `${c.name}=${c.value}`).join('; ')
    },
    store(request, setCookie) {
      if (!credentialed(request)) return
      const t = now()
      for (const line of setCookie) {
        const cookie = parse(line, request, t)
        if (!cookie) continue
        const jar = byOrigin.get(request.url.origin) ?? new Map<string, StoredCookie>()
        byOrigin.set(request.url.origin, jar)
        jar.delete(key(cookie))
        if (cookie.expiresAt === null || cookie.expiresAt > t) jar.set(key(cookie), cookie)
      }
    },
    clear() {
      byOrigin.clear()
    },
  }
}
