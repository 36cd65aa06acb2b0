import { createHmac } from 'node:crypto'
import {
  type Attempt,
  createMemoryRateLimiter,
  KNOWN_FOR_MS,
  KNOWN_SOURCES,
  type RateLimiter,
  WINDOW_MS,
} from '../../auth/rate-limit.js'
import { redisDriver } from '../drivers.js'
import { createRedisBreaker } from '../redis-breaker.js'
import { boundedRedisOptions, quit } from '../redis-connection.js'

// One attempt, counted and judged in one step (a script runs atomically), so concurrent attempts on any
// number of instances never all see the same count. The first attempt of a window starts the window's
// clock. Answers 0 (go ahead) or the milliseconds left in the window; a key somehow left without expiry
// gets one rather than staying locked.
const count = (key: string) => `local n = redis.call('INCR', ${key})
if n == 1 then redis.call('PEXPIRE', ${key}, ARGV[1]) end
if n <= tonumber(ARGV[2]) then return 0 end
local ttl = redis.call('PTTL', ${key})
if ttl < 0 then redis.call('PEXPIRE', ${key}, ARGV[1]); return tonumber(ARGV[1]) end
return ttl`
const ATTEMPT = count('KEYS[1]')

// The account budget: KEYS[1] the account's known sources (a sorted set of hashed sources by the time of
// their last sign-in), KEYS[2] its count. A source known within ARGV[5] ms of ARGV[4] (now) goes ahead
// uncounted; any other is counted as ATTEMPT counts, in the same step.
const ATTEMPT_ACCOUNT = `local at = redis.call('ZSCORE', KEYS[1], ARGV[3])
if at and tonumber(ARGV[4]) - tonumber(at) < tonumber(ARGV[5]) then return 0 end
${count('KEYS[2]')}`

// A sign-in: gives back the attempt of a source that was not known (it was counted), then records the
// source, drops the ones older than ARGV[3] ms and all but the ARGV[4] most recent.
const SIGNED_IN = `local at = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not (at and tonumber(ARGV[2]) - tonumber(at) < tonumber(ARGV[3])) then
  if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (tonumber(ARGV[2]) - tonumber(ARGV[3])))
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[4]) + 1))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 0`

const OK: Attempt = { ok: true }

/** The limiter's own key, derived from the signing key's secret and used for nothing else. */
const keyInfo = 'leash/v1|rate-limit'

/**
 * The attempt limits shared by every instance through Redis: a fixed window per key (60 s unless told)
 * that starts at the first attempt, as the memory limiter does. Keys (and the account's known sources)
 * are HMAC-SHA256 under a key derived from the keyring signer's secret, so Redis never holds a username or
 * an address, nor a plain hash of one that anyone reading Redis could reverse by trying every IPv4 address
 * or a list of usernames; instances share the signer, so they share keys. Making another key the signer
 * starts every count afresh (once: the old counts expire within their window). Redis's clock, not `now`,
 * times the window.
 *
 * When Redis does not answer within the command timeout, each call falls back to an in-process limiter:
 * the limit still holds per instance (at worst N instances × the limit per minute) and logins keep
 * working, rather than failing every login (closed) or dropping the limit altogether (open).
 */
export function createRedisRateLimiter(options: {
  url: string
  /**
   * The secret of the keyring's signer (`LEASH_GLOBAL_SECRET`), or a function that reads the current one:
   * the key that Redis keys are made under is derived from it.
   */
  secret: string | (() => string)
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
  // After one timeout, calls fail fast (to the fallback) until a background PING is answered.
  const breaker = createRedisBreaker({
    probe: () => redis.ping(),
    onOpen: () =>
      options.log?.({ level: 'warn', msg: 'rate limiter: Redis not answering, per instance until it does' }),
  })
  const local = createMemoryRateLimiter()
  let degraded = false
  const secretNow = typeof options.secret === 'string' ? () => options.secret as string : options.secret
  let derived = { secret: '', key: Buffer.alloc(0) }
  const macKey = () => {
    const secret = secretNow()
    if (derived.secret !== secret)
      derived = { secret, key: createHmac('sha256', secret).update(keyInfo).digest() }
    return derived.key
  }
  const hash = (k: string) => createHmac('sha256', macKey()).update(k).digest('base64url')
  const key = (k: string) => prefix + hash(k)
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

  const verdict = (ms: number): Attempt =>
    ok(ms > 0 ? { ok: false, retryAfter: Math.max(1, Math.ceil(ms / 1000)) } : OK)

  return {
    attempt: (k, limit, now, windowMs = WINDOW_MS) =>
      (breaker.run(() => redis.eval(ATTEMPT, 1, key(k), windowMs, limit)) as Promise<number>).then(
        verdict,
        fallback(() => local.attempt(k, limit, now, windowMs)),
      ),
    attemptAccount: (account, source, limit, now) =>
      (
        breaker.run(() =>
          redis.eval(
            ATTEMPT_ACCOUNT,
            2,
            key(`known|${account}`),
            key(`account|${account}`),
            WINDOW_MS,
            limit,
            hash(source),
            now,
            KNOWN_FOR_MS,
          ),
        ) as Promise<number>
      ).then(
        verdict,
        fallback(() => local.attemptAccount(account, source, limit, now)),
      ),
    signedIn: (account, source, now) =>
      Promise.all([
        breaker.run(() =>
          redis.eval(
            SIGNED_IN,
            2,
            key(`known|${account}`),
            key(`account|${account}`),
            hash(source),
            now,
            KNOWN_FOR_MS,
            KNOWN_SOURCES,
          ),
        ),
        local.signedIn(account, source, now),
      ]).then(
        () => ok(undefined),
        fallback(() => local.signedIn(account, source, now)),
      ),
    reset: (k) =>
      Promise.all([breaker.run(() => redis.del(key(k))), local.reset(k)]).then(
        () => ok(undefined),
        fallback(() => local.reset(k)),
      ),
    /** Whether calls go to Redis now (rather than to the fallback). */
    connected: () => redis.status === 'ready',
    close: () => {
      breaker.close()
      return quit(redis)
    },
  }
}
