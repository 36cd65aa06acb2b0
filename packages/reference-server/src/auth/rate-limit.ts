/** Counts failed logins per key (username + IP) in a fixed one-minute window. */
export interface RateLimiter {
  /** Seconds until the key may try again, or 0 when it may try now. */
  retryAfter(key: string, now: number): Promise<number>
  fail(key: string, now: number): Promise<void>
  reset(key: string): Promise<void>
}

const WINDOW_MS = 60_000

/** In-process limiter; a shared one (Redis) replaces it when several instances serve one user base. */
export function createMemoryRateLimiter(limit: number, maxKeys = 100_000): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>()
  const sweep = (now: number) => {
    for (const [key, w] of windows) if (now - w.start >= WINDOW_MS) windows.delete(key)
  }
  return {
    async retryAfter(key, now) {
      const w = windows.get(key)
      if (!w || now - w.start >= WINDOW_MS || w.count < limit) return 0
      return Math.max(1, Math.ceil((w.start + WINDOW_MS - now) / 1000))
    },
    async fail(key, now) {
      const w = windows.get(key)
      if (w && now - w.start < WINDOW_MS) {
        w.count += 1
        return
      }
      if (windows.size >= maxKeys) sweep(now)
      windows.set(key, { start: now, count: 1 })
    },
    async reset(key) {
      windows.delete(key)
    },
  }
}
