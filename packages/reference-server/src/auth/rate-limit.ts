/** The verdict on one attempt: go ahead, or wait `retryAfter` seconds. */
export type Attempt = { ok: true } | { ok: false; retryAfter: number }

/**
 * Counts attempts per key in a fixed one-minute window that starts at the key's first attempt. The attempt
 * is counted when it is asked for, before the work it guards (a password hash) starts: a burst of
 * concurrent guesses cannot all pass a check while the first of them is still hashing, so at most `limit`
 * of them get through per window, however many arrive at once.
 */
export interface RateLimiter {
  /** Counts one attempt on `key`; refused when it is over `limit` in the key's current window. */
  attempt(key: string, limit: number, now: number): Promise<Attempt>
  /** Forgets the key's count (a successful login). */
  reset(key: string): Promise<void>
}

export const WINDOW_MS = 60_000

const OK: Attempt = { ok: true }

/**
 * In-process limiter; a shared one (Redis) replaces it when several instances serve one user base.
 * Counting is synchronous, done before `attempt` returns its promise, so it is atomic within the process.
 */
export function createMemoryRateLimiter(maxKeys = 100_000): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>()
  const sweep = (now: number) => {
    for (const [key, w] of windows) if (now - w.start >= WINDOW_MS) windows.delete(key)
  }
  return {
    attempt(key, limit, now) {
      let w = windows.get(key)
      if (!w || now - w.start >= WINDOW_MS) {
        if (!w && windows.size >= maxKeys) sweep(now)
        w = { start: now, count: 0 }
        windows.set(key, w)
      }
      if (w.count >= limit) {
        return Promise.resolve({
          ok: false,
          retryAfter: Math.max(1, Math.ceil((w.start + WINDOW_MS - now) / 1000)),
        })
      }
      w.count += 1
      return Promise.resolve(OK)
    },
    async reset(key) {
      windows.delete(key)
    },
  }
}
