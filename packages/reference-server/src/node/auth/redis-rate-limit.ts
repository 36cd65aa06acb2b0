import { createHash } from 'node:crypto'
import { type Attempt, createMemoryRateLimiter, type RateLimiter, WINDOW_MS } from '../../auth/rate-limit.js'
import { boundedRedisOptions, quit } from '../bus/redis.js'
import { redisDriver } from '../drivers.js'

// One attempt, counted and judged in one step (a script runs atomically), so concurrent attempts on any
// number of instances never all see the same count. The first attempt of a window starts the window's
// clock. Answers 0 (go ahead) or the milliseconds left in the window; a key somehow left without expiry
// gets one rather than staying locked.
const ATTEMPT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if n <= tonumber(ARGV[2]) then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); return tonumber(ARGV[1]) end
return ttl`

const OK: Attempt = { ok: true }

/**
 * The attempt limits shared by every instance through Redis: a fixed 60 s window per key that starts at
 * the first attempt, as the memory limiter does. Keys are hashed, so Redis never holds a username or an
 * address; Redis's clock, not `now`, times the window.
 *
 * When Redis does not answer within the command timeout, each call falls back to an in-process limiter:
 * the limit still holds per instance (at worst N instances × the limit per minute) and logins keep
 * working, rather than failing every login (closed) or dropping the limit altogether (open).
 */
export function createRedisRateLimiter(options: {
  url: string
  prefix?: string
  commandTimeoutMs?: number
  log?: (entry: Record<string, string>) => void
}): RateLimiter & { connected(): boolean; close(): Promise<void> } {
  const prefix = options.prefix ?? 'leash:login:'
  const Redis = redisDriver()
  const redis = new Redis(options.url, {
    ...boundedRedisOptions(options.commandTimeoutMs ?? 300),
    connectionName: 'leash-limiter',
  })
  redis.on('error', () => {}) // reported through the fallback below
  const local = createMemoryRateLimiter()
  let degraded = false
  const key = (k: string) => prefix + createHash('sha256').update(k).digest('base64url')
  const fallback =
    <T>(run: () => Promise<T>) =>
    (error: unknown) => {
      if (!degraded)
        options.log?.({
          level: 'warn',
          msg: 'rate limiter on Redis failed: per instance now',
          error: String(error),
        })
      degraded = true
      return run()
    }
  const ok = <T>(value: T) => {
    if (degraded) options.log?.({ msg: 'rate limiter back on Redis' })
    degraded = false
    return value
  }

  return {
    attempt: (k, limit, now) =>
      (redis.eval(ATTEMPT, 1, key(k), WINDOW_MS, limit) as Promise<number>).then(
        (ms): Attempt => ok(ms > 0 ? { ok: false, retryAfter: Math.max(1, Math.ceil(ms / 1000)) } : OK),
        fallback(() => local.attempt(k, limit, now)),
      ),
    reset: (k) =>
      Promise.all([redis.del(key(k)), local.reset(k)]).then(
        () => ok(undefined),
        fallback(() => local.reset(k)),
      ),
    /** Whether calls go to Redis now (rather than to the fallback). */
    connected: () => redis.status === 'ready',
    close: () => quit(redis),
  }
}
