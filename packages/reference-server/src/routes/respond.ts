import type { SessionView, SignedInSession, TokenResponse } from '@leash/protocol'
import type { Context } from 'hono'
import type { Issued } from '../auth/sessions.js'
import { publicUser } from '../auth/views.js'
import type { ServerConfig } from '../config.js'
import type { SessionRecord } from '../store/types.js'
import { setRefreshCookie } from './refresh-cookie.js'

export { accountUser, adminUser, publicUser } from '../auth/views.js'
export { clearRefreshCookie, REFRESH_COOKIE } from './refresh-cookie.js'

/** Seconds left until `at` (epoch ms), never negative. */
const secondsUntil = (at: number, now: number) => Math.max(0, Math.floor((at - now) / 1000))

/** Where the session stands, in seconds relative to this response. */
export function sessionView(session: Issued['session'], idleTimeout: number, now: number): SessionView {
  return {
    id: session.id,
    idle_expires_in: secondsUntil(session.lastRefreshAt + idleTimeout * 1000, now),
    absolute_expires_in: secondsUntil(session.absoluteExpiresAt, now),
  }
}

/** A live session as its user's list shows it; `currentId` is the session of the token the request used. */
export function signedInSession(session: SessionRecord, currentId: string): SignedInSession {
  return {
    id: session.id,
    current: session.id === currentId,
    created_at: new Date(session.createdAt).toISOString(),
    last_used_at: new Date(session.lastRefreshAt).toISOString(),
    user_agent: session.userAgent,
  }
}

/** The protocol's token response; the refresh token goes in the body or in the cookie, never both. */
export function tokenResponse(c: Context, issued: Issued, config: ServerConfig) {
  const now = issued.issuedAt
  const { session, refreshToken } = issued
  const inBody = refreshToken !== undefined && session.transport === 'body'
  if (refreshToken !== undefined && !inBody) {
    setRefreshCookie(c, config, refreshToken, secondsUntil(session.absoluteExpiresAt, now))
  }
  const body: TokenResponse = {
    access_token: issued.accessToken,
    token_type: 'Bearer',
    expires_in: issued.expiresIn,
    ...(inBody && { refresh_token: refreshToken }),
    session: sessionView(session, config.idleTimeout, now),
    user: publicUser(issued.user),
    user_enabled: true,
  }
  return c.json(body, 200)
}
