import type { Context } from 'hono'
import type { Issued } from '../auth/sessions.js'
import { publicUser } from '../auth/views.js'
import type { ServerConfig } from '../config.js'
import type { ApiError } from '../errors.js'
import { setRefreshCookie } from './refresh-cookie.js'

export { adminUser, publicUser } from '../auth/views.js'
export { clearRefreshCookie, REFRESH_COOKIE } from './refresh-cookie.js'

/** Seconds left until `at` (epoch ms), never negative. */
const secondsUntil = (at: number, now: number) => Math.max(0, Math.floor((at - now) / 1000))

/** Where the session stands, in seconds relative to this response. */
export function sessionView(session: Issued['session'], idleTimeout: number, now: number) {
  return {
    id: session.id,
    idle_expires_in: secondsUntil(session.lastRefreshAt + idleTimeout * 1000, now),
    absolute_expires_in: secondsUntil(session.absoluteExpiresAt, now),
  }
}

/** The protocol's token response; the refresh token goes in the body or in the cookie, never both. */
export function tokenResponse(c: Context, issued: Issued, config: ServerConfig) {
  const now = issued.issuedAt
  const body: Record<string, unknown> = {
    access_token: issued.accessToken,
    token_type: 'Bearer',
    expires_in: issued.expiresIn,
  }
  if (issued.refreshToken !== undefined) {
    if (issued.session.transport === 'body') body.refresh_token = issued.refreshToken
    else {
      const maxAge = secondsUntil(issued.session.absoluteExpiresAt, now)
      setRefreshCookie(c, config, issued.refreshToken, maxAge)
    }
  }
  body.session = sessionView(issued.session, config.idleTimeout, now)
  body.user = publicUser(issued.user)
  body.user_enabled = true
  return c.json(body, 200)
}

/** The protocol's error body, with `WWW-Authenticate` on every 401 and `user_enabled: false` for a disabled user. */
export function errorResponse(c: Context, error: ApiError) {
  for (const [name, value] of Object.entries(error.headers ?? {})) c.header(name, value)
  if (error.status === 401) {
    const kind = error.code === 'missing_token' ? 'invalid_request' : 'invalid_token'
    c.header('WWW-Authenticate', `Bearer error="${kind}"`)
  }
  const body: Record<string, unknown> = {
    error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
  }
  if (error.code === 'user_disabled') body.user_enabled = false
  return c.json(body, error.status)
}
