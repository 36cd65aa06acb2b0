import type { LeashError } from './errors.js'
import type { EndReason, SessionWarning } from './state.js'
import type { StoredSession } from './tokens.js'

/**
 * When to refresh, when to warn, how long to back off and which failures end the session: pure
 * functions of the record and the clock, used by the timers, the interceptors and the refresh alike.
 *
 * The options are upper bounds; the server's own timings cap them, so a server whose timeouts are
 * shorter than the client's defaults never gets a perpetual warning or a refresh storm:
 * - the refresh margin is at most half the access token's lifetime (as issued, from `expires_in`);
 * - the warning lead is at most half the idle window and half of what remained of the absolute one
 *   when the token was issued. So a warning never opens sooner than its lead after a refresh or sign-in.
 */

/** The margin in effect for this token: `refreshMargin`, at most half the token's lifetime. */
export const refreshMarginOf = (r: StoredSession, refreshMargin: number): number =>
  Math.min(refreshMargin, (r.accessExpiresAt - r.issuedAt) / 2)

/**
 * Whether to refresh before the next use: the token is within its margin of expiry and the user was
 * active strictly after this tab took the token (`since`), so an idle session runs into its warning.
 */
export const shouldRefresh = (
  r: StoredSession,
  now: number,
  lastActive: number,
  since: number,
  refreshMargin: number,
): boolean => now >= r.accessExpiresAt - refreshMarginOf(r, refreshMargin) && lastActive > since

/** The session's end: the idle or the absolute one, whichever comes first. */
export const sessionEnd = (r: StoredSession): { endsAt: number; reason: EndReason } => ({
  endsAt: Math.min(r.idleExpiresAt, r.absoluteExpiresAt),
  reason: r.absoluteExpiresAt < r.idleExpiresAt ? 'absolute' : 'idle',
})

/** The warning for this record and when it opens (its end minus the effective lead). */
export function warningOf(r: StoredSession, warnBefore: number): SessionWarning & { opensAt: number } {
  const end = sessionEnd(r)
  // at most half of each window: half of the shorter one, the window to the end
  const lead = Math.min(warnBefore, (end.endsAt - r.issuedAt) / 2)
  return { ...end, opensAt: end.endsAt - Math.max(0, lead) }
}

/** Attempts after the first when the network (or a 5xx, 408 or 429) fails. */
export const RETRIES = 5

/** Wait before retry `attempt` (0-based): 1 s, 2 s, 4 s … capped at 30 s. */
export const retryDelay = (attempt: number): number => Math.min(1000 * 2 ** attempt, 30_000)

/** Whether a failed refresh is worth retrying: no answer, a server fault, a timeout or a rate limit. */
export const retryable = (e: LeashError): boolean =>
  !e.status || e.status >= 500 || e.status === 429 || e.status === 408

/** Whether a refresh failure means the session is over (the server refused it: 401 or 403). */
export const endsSession = (e: LeashError): boolean => e.status === 401 || e.status === 403
