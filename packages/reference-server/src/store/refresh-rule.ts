import type {
  RefreshFamily,
  RefreshPolicy,
  RefreshVerdict,
  SessionEndReason,
  SessionRecord,
} from './types.js'

/**
 * The protocol's rule for a presented refresh token, as one pure function that every store applies inside
 * its own atomic step (so memory, SQLite and PostgreSQL cannot disagree):
 * - the family's live token rotates;
 * - the token it replaced may be presented once more within the reuse interval (a client whose response
 *   was lost): its unused child is revoked as the new one is issued, so there is still one live token;
 * - anything else of the family (a grandparent, a second retry, a retry after the child was used, any
 *   presentation after the interval, a revoked child) is theft: the family ends.
 * An ended session refuses everything; one past its idle or absolute end times out.
 */
export function judgeRefresh(
  session: SessionRecord,
  family: RefreshFamily,
  hash: string,
  now: number,
  policy: RefreshPolicy,
): RefreshVerdict {
  if (session.endedAt !== null) return 'ended'
  if (now >= session.absoluteExpiresAt || now >= session.lastRefreshAt + policy.idleTimeoutMs)
    return 'expired'
  if (hash === family.current) return 'rotate'
  const retry =
    hash === family.previous &&
    !family.retried &&
    family.previousUsedAt !== null &&
    policy.reuseIntervalMs > 0 &&
    now - family.previousUsedAt <= policy.reuseIntervalMs
  return retry ? 'retry' : 'reused'
}

/** What a store writes back after a presentation. */
export interface RefreshPlan {
  verdict: RefreshVerdict
  /** The session and family as they are to be stored (the same objects' values when nothing changes). */
  session: SessionRecord
  family: RefreshFamily
  /** Whether anything is to be written. */
  changed: boolean
  /**
   * The token that has just left the family's window (neither live nor the one the live token replaced):
   * nothing accepts it any more, so a store forgets it, and the family's history stays two tokens long
   * however often it refreshes. Presented again, it names its family (tokens/refresh-token.ts) and is
   * reuse, as every token of the family outside the window is.
   */
  dropped: string | null
}

/**
 * Judges a presentation and works out its effect: accepted, `next` becomes the only live token and the
 * idle clock moves (or, with `next` null for a logout, the session ends); `expired` and `reused` end it.
 */
export function planRefresh(
  session: SessionRecord,
  family: RefreshFamily,
  hash: string,
  next: string | null,
  now: number,
  policy: RefreshPolicy,
): RefreshPlan {
  const verdict = judgeRefresh(session, family, hash, now, policy)
  const end = (reason: SessionEndReason): SessionRecord => ({ ...session, endedAt: now, endReason: reason })
  switch (verdict) {
    case 'ended':
      return { verdict, session, family, changed: false, dropped: null }
    case 'expired':
      return { verdict, session: end('timeout'), family, changed: true, dropped: null }
    case 'reused':
      return {
        verdict,
        session: end('reuse'),
        family: { ...family, current: null },
        changed: true,
        dropped: null,
      }
    default: {
      const advanced: RefreshFamily =
        verdict === 'rotate'
          ? { current: next, previous: hash, previousUsedAt: now, retried: false }
          : { ...family, current: next, retried: true }
      const moved = next === null ? end('logout') : { ...session, lastRefreshAt: now }
      // Rotating pushes the grandparent out; a retry revokes the unused child.
      const dropped = verdict === 'rotate' ? family.previous : family.current
      return { verdict, session: moved, family: advanced, changed: true, dropped }
    }
  }
}
