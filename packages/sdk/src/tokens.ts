import type { PublicUser, TokenResponse as WireTokenResponse } from '@leash/protocol'

/** The signed-in user as the server describes it (the protocol's public user). */
export type LeashUser = PublicUser

/**
 * A token response (login, refresh, password change) as the client reads it: the protocol's `TokenResponse`
 * with `session`, `user` and `user_enabled` optional (without them, the previous stored session's stand in).
 */
export type LenientTokenResponse = Omit<WireTokenResponse, 'session' | 'user' | 'user_enabled'> &
  Partial<Pick<WireTokenResponse, 'session' | 'user' | 'user_enabled'>>

/**
 * What the client keeps in storage (and tells other tabs) of a live session; every time is on the client's
 * own clock. Not the server's session row: this is one tab's copy of the tokens and their deadlines.
 */
export interface StoredSession {
  accessToken: string
  accessExpiresAt: number
  idleExpiresAt: number
  absoluteExpiresAt: number
  /** When the access token was obtained: activity after it makes the user "active". */
  issuedAt: number
  user: LeashUser
  refreshToken?: string
}

/**
 * Turns a token response into a stored session. Deadlines are `sentAt` (the local time the request left)
 * plus the relative durations, so a wrong device clock changes nothing and latency only makes them earlier.
 */
export function toStoredSession(
  body: LenientTokenResponse,
  sentAt: number,
  previous?: StoredSession | null,
): StoredSession {
  const at = (seconds: number | undefined, fallback: number | undefined) =>
    seconds == null ? (fallback ?? 8.64e15) : sentAt + seconds * 1000
  return {
    accessToken: body.access_token,
    accessExpiresAt: sentAt + body.expires_in * 1000,
    idleExpiresAt: at(body.session?.idle_expires_in, previous?.idleExpiresAt),
    absoluteExpiresAt: at(body.session?.absolute_expires_in, previous?.absoluteExpiresAt),
    issuedAt: sentAt,
    // every token response names the user (protocol); a refresh from a server that left it out keeps ours
    user: (body.user ?? previous?.user)!,
    // a step-up's answer leaves the refresh token as it was (the server does not rotate it)
    refreshToken: body.refresh_token ?? previous?.refreshToken,
  }
}
