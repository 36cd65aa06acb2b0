import { createHash } from 'node:crypto'
import { Redis } from 'ioredis'
import { boundedRedisOptions, quit } from '../bus/redis.js'
import { createMemoryRateLimiter, type RateLimiter } from './rate-limit.js'

const WINDOW_MS = 60_000

// One failure: count it; the first failure of a window starts the window's clock.
const FAIL = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`
// Milliseconds until the key may try again (0: now). A key left without expiry (cannot happen) gets one.
const RETRY_AFTER = `local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n < tonumber(ARGV[1]) then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); return tonumber(ARGV[2]) end
return ttl`

/**
 * The failed-login limit shared by every instance through Redis: a fixed 60 s window per key
 * (username + IP) that starts at the first failure, as the memory limiter does. Keys are hashed, so Redis
 * never holds a username or an address; Redis's clock, not `now`, times the window.
 *
 * When Redis does not answer within the command timeout, each call falls back to an in-process limiter:
 * the limit still holds per instance (at worst N instances × the limit per minute) and logins keep
 * working, rather than failing every login (closed) or dropping the limit altogether (open).
 */
export function createRedisRateLimiter(options: {
  url: string
  limit: number
  prefix?: string
  commandTimeoutMs?: number
  log?: (entry: Record<string, string>) => void
}): RateLimiter & { connected(): boolean; close(): Promise<void> } {
  const prefix = options.prefix ?? 'leash:login:'
  const redis = new Redis(options.url, {
    ...boundedRedisOptions(options.commandTimeoutMs ?? 300),
    connectionName: 'leash-limiter',
  })
  redis.on('error', () => {}) // reported through the fallback below
  const local = createMemoryRateLimiter(options.limit)
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
    retryAfter: (k, now) =>
      (redis.eval(RETRY_AFTER, 1, key(k), options.limit, WINDOW_MS) as Promise<number>).then(
        (ms) => ok(ms > 0 ? Math.max(1, Math.ceil(ms / 1000)) : 0),
        fallback(() => local.retryAfter(k, now)),
      ),
    fail: (k, now) =>
      redis.eval(FAIL, 1, key(k), WINDOW_MS).then(
        () => ok(undefined),
        fallback(() => local.fail(k, now)),
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
