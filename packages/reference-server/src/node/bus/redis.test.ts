import { createHash, randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import type { Bus, Invalidation } from '../../bus/types.js'
import { freePort, until } from '../../test/cluster.js'
import { redisUrl, skipWithout } from '../../test/services.js'
import { createRedisRateLimiter } from '../auth/redis-rate-limit.js'
import { createRedisBus } from './redis.js'

const skip = skipWithout(['redis'], 'Redis bus and rate limiter')
const SECRET = 'test-global-secret-that-is-32-bytes-long!!'
const channel = () => `leash:test:${randomBytes(6).toString('hex')}`

describe.skipIf(skip)(`Redis bus${skip ? ` (${skip})` : ''}`, () => {
  const open: Bus[] = []
  const bus = (options: Partial<Parameters<typeof createRedisBus>[0]> & { channel: string }) => {
    const made = createRedisBus({ url: redisUrl!, ...options })
    open.push(made)
    return made
  }
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()))
  })

  it('reaches its own listeners synchronously, and resolves once every other instance has run its listeners', async () => {
    const ch = channel()
    const [one, two] = [bus({ channel: ch }), bus({ channel: ch })]
    await until(async () => one.live() && two.live(), 5_000, 'both subscribed')
    const seenOne: Invalidation[] = []
    const seenTwo: Invalidation[] = []
    one.subscribe((m) => seenOne.push(m))
    two.subscribe((m) => seenTwo.push(m))
    const publishing = one.publish({ kind: 'session', id: 's1' })
    expect(seenOne).toEqual([{ kind: 'session', id: 's1' }]) // before publish resolves
    await publishing
    // Resolved only once the other instance acknowledged: its listeners have run already.
    expect(seenTwo).toEqual([{ kind: 'session', id: 's1' }])
    await new Promise((done) => setTimeout(done, 50))
    expect(seenOne).toHaveLength(1) // its own message is not delivered twice
  })

  it('ignores malformed messages on the channel', async () => {
    const ch = channel()
    const one = bus({ channel: ch })
    const other = bus({ channel: ch })
    await until(async () => one.live() && other.live(), 5_000, 'subscribed')
    const seen: Invalidation[] = []
    one.subscribe((m) => seen.push(m))
    const { Redis } = await import('ioredis')
    const raw = new Redis(redisUrl!)
    await raw.publish(ch, 'not json')
    await raw.publish(ch, JSON.stringify({ origin: 'x', message: { kind: 'user' } }))
    await raw.publish(ch, JSON.stringify({ origin: 'x', message: { kind: 'user', id: 'u1' } }))
    await until(async () => seen.length === 1, 2_000, 'the valid message')
    expect(seen).toEqual([{ kind: 'user', id: 'u1' }])
    raw.disconnect()
  })

  it('after losing its subscription, is not live until subscribed again, then empties the caches', async () => {
    const ch = channel()
    const name = randomBytes(4).toString('hex')
    const one = bus({ channel: ch, name })
    await until(async () => one.live(), 5_000, 'subscribed')
    const seen: Invalidation[] = []
    one.subscribe((m) => seen.push(m))
    const { Redis } = await import('ioredis')
    const raw = new Redis(redisUrl!)
    const clients = (await raw.client('LIST')) as string
    const id = /id=(\d+) .*name=(\S+)/
      .exec(clients.split('\n').find((line) => line.includes(`name=leash-sub-${name}`)) ?? '')
      ?.at(1)
    expect(id).toBeDefined()
    await raw.client('KILL', 'ID', id!)
    await until(async () => !one.live(), 2_000, 'not live')
    await until(async () => one.live(), 5_000, 'live again')
    expect(seen).toEqual([{ kind: 'all' }])
    raw.disconnect()
  })

  it('is not live without Redis, and a publish still reaches its own listeners and resolves, bounded', async () => {
    const dead = bus({
      channel: channel(),
      url: `redis://127.0.0.1:${await freePort()}`,
      leaseMs: 300,
    } as never)
    const seen: Invalidation[] = []
    dead.subscribe((m) => seen.push(m))
    expect(dead.live()).toBe(false)
    const started = Date.now()
    await dead.publish({ kind: 'all' })
    expect(seen).toEqual([{ kind: 'all' }])
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(dead.live()).toBe(false)
  })
})

describe.skipIf(skip)(`Redis rate limiter${skip ? ` (${skip})` : ''}`, () => {
  it('counts attempts across instances in one window, refuses past the limit, and resets', async () => {
    const prefix = `leash:test:${randomBytes(6).toString('hex')}:`
    const one = createRedisRateLimiter({ url: redisUrl!, prefix, secret: SECRET })
    const two = createRedisRateLimiter({ url: redisUrl!, prefix, secret: SECRET })
    try {
      await until(async () => one.connected() && two.connected(), 3_000, 'connected')
      expect(await one.attempt('k', 3, Date.now())).toEqual({ ok: true })
      expect(await two.attempt('k', 3, Date.now())).toEqual({ ok: true })
      expect(await one.attempt('k', 3, Date.now())).toEqual({ ok: true })
      const refused = await two.attempt('k', 3, Date.now())
      expect(refused.ok).toBe(false)
      const wait = refused.ok ? 0 : refused.retryAfter
      expect(wait).toBeGreaterThan(55)
      expect(wait).toBeLessThanOrEqual(60)
      // Each key has its own count, and the limit is the caller's.
      expect(await one.attempt('other', 3, Date.now())).toEqual({ ok: true })
      expect((await one.attempt('k', 10, Date.now())).ok).toBe(true)
      await two.reset('k')
      expect(await one.attempt('k', 1, Date.now())).toEqual({ ok: true })
    } finally {
      await Promise.all([one.close(), two.close()])
    }
  })

  it('keys Redis by an HMAC under the global secret: SHA-256 of an address or a username is nowhere in it', async () => {
    const prefix = `leash:test:${randomBytes(6).toString('hex')}:`
    const limiter = createRedisRateLimiter({ url: redisUrl!, prefix, secret: SECRET })
    const reader = new Redis(redisUrl!)
    try {
      await until(async () => limiter.connected(), 3_000, 'connected')
      const now = Date.now()
      await limiter.attempt('ip|203.0.113.7', 5, now)
      await limiter.attempt('login|alice|203.0.113.7', 5, now)
      await limiter.attemptAccount('alice', '203.0.113.7', 5, now)
      await limiter.signedIn('alice', '203.0.113.7', now)
      const keys: string[] = []
      let cursor = '0'
      do {
        const [next, found] = await reader.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
        keys.push(...found)
        cursor = next
      } while (cursor !== '0')
      // ip, login, known and account: what the old scheme stored as prefix + SHA-256 of each.
      expect(keys).toHaveLength(4)
      const sha = (text: string) => createHash('sha256').update(text).digest('base64url')
      const inputs = [
        'ip|203.0.113.7',
        'login|alice|203.0.113.7',
        'known|alice',
        'account|alice',
        '203.0.113.7',
      ]
      const known = (await Promise.all(keys.map((k) => reader.type(k)))).indexOf('zset')
      expect(known).toBeGreaterThanOrEqual(0)
      const sources = await reader.zrange(keys[known]!, '0', '-1')
      expect(sources).toHaveLength(1)
      for (const text of inputs) {
        expect(keys).not.toContain(prefix + sha(text))
        expect(sources).not.toContain(sha(text))
        for (const k of keys) expect(k).not.toContain(text)
      }
    } finally {
      reader.disconnect()
      await limiter.close()
    }
  })

  it('shares counts between limiters with the same secret, and not between different secrets', async () => {
    const prefix = `leash:test:${randomBytes(6).toString('hex')}:`
    const one = createRedisRateLimiter({ url: redisUrl!, prefix, secret: SECRET })
    const same = createRedisRateLimiter({ url: redisUrl!, prefix, secret: SECRET })
    const other = createRedisRateLimiter({ url: redisUrl!, prefix, secret: `${SECRET}-another-deployment` })
    try {
      await until(async () => one.connected() && same.connected() && other.connected(), 3_000, 'connected')
      const now = Date.now()
      expect(await one.attempt('ip|203.0.113.7', 2, now)).toEqual({ ok: true })
      expect(await same.attempt('ip|203.0.113.7', 2, now)).toEqual({ ok: true })
      expect((await same.attempt('ip|203.0.113.7', 2, now)).ok).toBe(false)
      expect(await other.attempt('ip|203.0.113.7', 2, now)).toEqual({ ok: true })
      // The account budget and its known sources too: a sign-in through one is known to the same secret only.
      await one.signedIn('alice', '203.0.113.7', now)
      expect(await same.attemptAccount('alice', '203.0.113.7', 1, now)).toEqual({ ok: true })
      expect(await same.attemptAccount('alice', '203.0.113.7', 1, now)).toEqual({ ok: true })
      expect(await other.attemptAccount('alice', '203.0.113.7', 1, now)).toEqual({ ok: true })
      expect((await other.attemptAccount('alice', '203.0.113.7', 1, now)).ok).toBe(false)
    } finally {
      await Promise.all([one.close(), same.close(), other.close()])
    }
  })

  it('lets through exactly the limit of a concurrent burst spread over two instances', async () => {
    const prefix = `leash:test:${randomBytes(6).toString('hex')}:`
    const one = createRedisRateLimiter({ url: redisUrl!, prefix, secret: SECRET })
    const two = createRedisRateLimiter({ url: redisUrl!, prefix, secret: SECRET })
    try {
      await until(async () => one.connected() && two.connected(), 3_000, 'connected')
      const verdicts = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? one : two).attempt('k', 7, Date.now())),
      )
      expect(verdicts.filter((v) => v.ok)).toHaveLength(7)
    } finally {
      await Promise.all([one.close(), two.close()])
    }
  })

  it('falls back to a limiter in this process when Redis cannot be reached', async () => {
    const dead = createRedisRateLimiter({ url: `redis://127.0.0.1:${await freePort()}`, secret: SECRET })
    try {
      const started = Date.now()
      expect(await dead.attempt('k', 2, started)).toEqual({ ok: true })
      expect(await dead.attempt('k', 2, started)).toEqual({ ok: true })
      expect(await dead.attempt('k', 2, started)).toEqual({ ok: false, retryAfter: 60 })
      await dead.reset('k')
      expect(await dead.attempt('k', 2, started)).toEqual({ ok: true })
      // The account budget too, known sources included.
      expect(await dead.attemptAccount('alice', 'a', 1, started)).toEqual({ ok: true })
      expect((await dead.attemptAccount('alice', 'b', 1, started)).ok).toBe(false)
      await dead.signedIn('alice', 'a', started)
      expect(await dead.attemptAccount('alice', 'a', 1, started)).toEqual({ ok: true })
      expect(Date.now() - started).toBeLessThan(2_000)
    } finally {
      await dead.close()
    }
  })
})
