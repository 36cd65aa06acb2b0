import type { Context } from 'hono'
import type { ServerConfig } from '../config.js'
import { apiError } from '../errors.js'

/** The refresh cookie's name: scoped to the /auth routes' path (`/auth`, or `/identity/auth` when mounted there). */
export const REFRESH_COOKIE = 'leash_refresh'

/** Its name with `cookieHostPrefix`: `Path=/`, no `Domain`, always `Secure`; a sibling subdomain cannot plant one. */
export const HOST_REFRESH_COOKIE = `__Host-${REFRESH_COOKIE}`

type CookieConfig = Pick<ServerConfig, 'secureCookies' | 'cookieHostPrefix'>

/** The name the server sets and reads under this configuration (never both). */
export const refreshCookieName = (config: CookieConfig) =>
  config.cookieHostPrefix ? HOST_REFRESH_COOKIE : REFRESH_COOKIE

/** `'auto'` follows the request's own scheme: a browser drops a `Secure` cookie set over plain http. */
function isSecure(c: Context, config: CookieConfig): boolean {
  if (config.secureCookies !== 'auto') return config.secureCookies
  return new URL(c.req.url).protocol === 'https:'
}

/**
 * Where the /auth routes are mounted, as the browser sees it: the path of the request (every route that sets
 * the cookie is `<prefix>/auth/<name>`) without its last segment, so `/identity/auth/login` gives
 * `/identity/auth`. From the URL as sent (not percent-decoded), and with `;` escaped so it cannot end the
 * attribute.
 */
function authPath(c: Context): string {
  const path = new URL(c.req.url).pathname.replace(/\/+$/, '')
  return (path.slice(0, path.lastIndexOf('/')) || '/').replaceAll(';', '%3B')
}

/** Sets the refresh cookie for `maxAge` seconds (0 clears it). */
export function setRefreshCookie(c: Context, config: CookieConfig, value: string, maxAge: number) {
  const path = config.cookieHostPrefix ? '/' : authPath(c)
  const secure = isSecure(c, config) ? '; Secure' : ''
  c.header(
    'Set-Cookie',
    `${refreshCookieName(config)}=${value}; Path=${path}; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`,
    { append: true },
  )
}

/** Clears the refresh cookie (logout, and any refresh that ends the session). */
export function clearRefreshCookie(c: Context, config: CookieConfig) {
  setRefreshCookie(c, config, '', 0)
}

/**
 * The refresh cookie in a Cookie header (several header lines joined by `; `, as Node joins them), or
 * undefined. Cookies are separated by `;` alone (RFC 6265): a `,` belongs to the value it is in, so
 * `x=a,leash_refresh=<planted>` (one cookie named `x`, which a sibling subdomain can set with
 * `Domain=example.com` and Chromium sends as is) carries no refresh cookie. Two of that name are refused
 * rather than picked by order: the second was planted by someone else (cookie tossing from a sibling
 * subdomain, which can set a `Domain=` cookie on a longer path that the browser sends first). Refused
 * without clearing either, so the planted one is never left as the only cookie, which would sign the
 * victim into the attacker's session.
 */
export function readRefreshCookie(header: string | undefined, config: CookieConfig): string | undefined {
  if (!header) return undefined
  const name = refreshCookieName(config)
  const values: string[] = []
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=')
    if (eq !== -1 && pair.slice(0, eq).trim() === name) values.push(pair.slice(eq + 1).trim())
  }
  if (values.length > 1) throw apiError('invalid_refresh_token')
  return values[0] || undefined
}
