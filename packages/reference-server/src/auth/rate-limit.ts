/** The verdict on one attempt: go ahead, or wait `retryAfter` seconds. */
export type Attempt = { ok: true } | { ok: false; retryAfter: number }

/**
 * Counts attempts per key in a fixed window (a minute unless told) that starts at the key's first attempt. The attempt
 * is counted when it is asked for, before the work it guards (a password hash) starts: a burst of
 * concurrent guesses cannot all pass a check while the first of them is still hashing, so at most `limit`
 * of them get through per window, however many arrive at once.
 */
export interface RateLimiter {
  /**
   * Counts one attempt on `key`; refused when it is over `limit` in the key's current window, which lasts
   * `windowMs` (default `WINDOW_MS`, a minute; a key is always counted in windows of one length).
   */
  attempt(key: string, limit: number, now: number, windowMs?: number): Promise<Attempt>
  /** Forgets the key's count (a successful login). */
  reset(key: string): Promise<void>
  /**
   * Counts one password attempt on `account`'s budget, summed over every address, as `attempt` does;
   * but an attempt from a `source` the account signed in from recently (`signedIn`) is neither counted
   * nor refused, so whoever spends the budget does not lock the owner out of their own devices.
   */
  attemptAccount(account: string, source: string, limit: number, now: number): Promise<Attempt>
  /**
   * A right password for `account` from `source`: the source becomes known to the account (its
   * `KNOWN_SOURCES` most recent, for `KNOWN_FOR_MS`), and an attempt it was counted for is given back.
   */
  signedIn(account: string, source: string, now: number): Promise<void>
}

export const WINDOW_MS = 60_000

/** How many sources an account remembers (the most recent), and for how long after their last sign-in. */
export const KNOWN_SOURCES = 8
export const KNOWN_FOR_MS = 30 * 86_400_000

const OK: Attempt = { ok: true }

/**
 * In-process limiter; a shared one (Redis) replaces it when several instances serve one user base.
 * Counting is synchronous, done before `attempt` returns its promise, so it is atomic within the process.
 */
export function createMemoryRateLimiter(maxKeys = 100_000): RateLimiter {
  const windows = new Map<string, { start: number; count: number; ms: number }>()
  // Per account, its known sources by the time of their last sign-in, most recent last.
  const known = new Map<string, Map<string, number>>()
  const sweep = (now: number) => {
    for (const [key, w] of windows) if (now - w.start >= w.ms) windows.delete(key)
  }
  const attempt = (key: string, limit: number, now: number, ms = WINDOW_MS): Promise<Attempt> => {
    let w = windows.get(key)
    if (!w || now - w.start >= w.ms) {
      if (!w && windows.size >= maxKeys) sweep(now)
      w = { start: now, count: 0, ms }
      windows.set(key, w)
    }
    if (w.count >= limit) {
      return Promise.resolve({
        ok: false,
        retryAfter: Math.max(1, Math.ceil((w.start + w.ms - now) / 1000)),
      })
    }
    w.count += 1
    return Promise.resolve(OK)
  }
  const isKnown = (account: string, source: string, now: number) => {
    const at = known.get(account)?.get(source)
    return at !== undefined && now - at < KNOWN_FOR_MS
  }
  return {
    attempt,
    async reset(key) {
      windows.delete(key)
    },
    attemptAccount: (account, source, limit, now) =>
      isKnown(account, source, now) ? Promise.resolve(OK) : attempt(`account|${account}`, limit, now),
    async signedIn(account, source, now) {
      if (!isKnown(account, source, now)) {
        const w = windows.get(`account|${account}`)
        if (w && w.count > 0 && now - w.start < WINDOW_MS) w.count -= 1
      }
      let sources = known.get(account)
      if (!sources) {
        // Full: the accounts least recently added go first (a Map keeps insertion order).
        for (const oldest of known.keys()) {
          if (known.size < maxKeys) break
          known.delete(oldest)
        }
        sources = new Map()
        known.set(account, sources)
      }
      sources.delete(source)
      sources.set(source, now)
      for (const oldest of sources.keys()) {
        if (sources.size <= KNOWN_SOURCES) break
        sources.delete(oldest)
      }
    },
  }
}
