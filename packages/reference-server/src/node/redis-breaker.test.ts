import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { skipUnless } from '../../../../test/skip.js'
import { freePort, GLOBAL_SECRET, until } from '../test/cluster.js'
import { createRedisRateLimiter } from './auth/redis-rate-limit.js'
import { createRedisBus } from './bus/redis.js'

// A frozen Redis (SIGSTOP on a redis-server of this file's own): after the first timeout, the limiter
// and the bus stop calling it and answer at once, then go back to it when it answers again.

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!

const installed = spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status === 0
const skip = skipUnless(installed, 'Redis breaker tests', 'the redis-server package installed')

describe.skipIf(skip)(`Redis frozen${skip ? ` (${skip})` : ''}`, () => {
  let redis: ChildProcess
  let url = ''
  beforeAll(async () => {
    const port = await freePort()
    url = `redis://127.0.0.1:${port}`
    redis = spawn(
      'redis-server',
      ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    )
    const probe = createRedisRateLimiter({ url, secret: GLOBAL_SECRET, prefix: 'probe:' })
    await until(async () => probe.connected(), 10_000, 'redis-server to start')
    await probe.close()
  })
  afterAll(() => {
    redis?.kill('SIGCONT')
    redis?.kill('SIGKILL')
  })

  it('sign-ins stop waiting after the first timeout, and the limit is shared again once Redis resumes', async () => {
    const prefix = `t${Date.now()}:`
    const one = createRedisRateLimiter({ url, secret: GLOBAL_SECRET, prefix })
    const two = createRedisRateLimiter({ url, secret: GLOBAL_SECRET, prefix })
    const signIn = async (limiter: typeof one, user: string) => {
      const started = performance.now()
      await limiter.attempt(`${user}|127.0.0.1`, 10, Date.now())
      await limiter.attemptAccount(user, '127.0.0.1', 20, Date.now())
      await limiter.signedIn(user, '127.0.0.1', Date.now())
      return performance.now() - started
    }
    try {
      await until(async () => one.connected() && two.connected(), 5_000, 'the limiters to connect')
      expect(await signIn(one, 'warm')).toBeLessThan(300)
      redis.kill('SIGSTOP')
      try {
        const first = await signIn(one, 'alice')
        expect(first).toBeGreaterThanOrEqual(250) // the one timeout that opens the breaker
        const later: number[] = []
        for (let i = 0; i < 10; i++) later.push(await signIn(one, `u${i}`))
        expect(median(later), later.map(Math.round).join(', ')).toBeLessThan(100) // ~900 ms without the breaker
      } finally {
        redis.kill('SIGCONT')
      }
      // Back on Redis: an attempt counted by one is seen by two.
      await until(
        async () => {
          const key = `shared-${Math.random()}`
          await one.attempt(key, 1, Date.now())
          return !(await two.attempt(key, 1, Date.now())).ok
        },
        5_000,
        'the limiter to count in Redis again',
      )
    } finally {
      await Promise.all([one.close(), two.close()])
    }
  }, 20_000)

  it('publishes stop waiting after the first second, and the bus is live again once Redis resumes', async () => {
    const bus = createRedisBus({ url, channel: `t${Date.now()}` })
    try {
      await until(async () => bus.live(), 5_000, 'the bus to be live')
      redis.kill('SIGSTOP')
      const took: number[] = []
      try {
        const started = performance.now()
        while (performance.now() - started < 2_500) {
          const t = performance.now()
          await bus.publish({ kind: 'user', id: 'u1' })
          took.push(performance.now() - t)
        }
      } finally {
        redis.kill('SIGCONT')
      }
      // The first publishes wait for the lease (1 s) so that no instance still trusts its cache; after
      // that, each answers at once rather than after a 500 ms command timeout.
      // (Medians, for a busy machine: without the breaker each took the 500 ms command timeout.)
      const ms = took.map(Math.round).join(', ')
      expect(took.length, ms).toBeGreaterThanOrEqual(5)
      expect(median(took.slice(2)), ms).toBeLessThan(100)
      await until(async () => bus.live(), 5_000, 'the bus to be live again')
      const t = performance.now()
      await bus.publish({ kind: 'user', id: 'u2' })
      expect(performance.now() - t).toBeLessThan(500)
    } finally {
      await bus.close()
    }
  }, 20_000)

  // Last: it kills this file's Redis for good.
  it('an outage writes one line per condition, not one per request or reconnect attempt', async () => {
    const lines: Array<Record<string, unknown>> = []
    const bus = createRedisBus({ url, channel: `t${Date.now()}`, log: (entry) => lines.push(entry) })
    try {
      await until(async () => bus.live(), 5_000, 'the bus to be live')
      redis.kill('SIGKILL')
      const started = performance.now()
      let publishes = 0
      while (performance.now() - started < 2_000) {
        await bus.publish({ kind: 'user', id: 'u1' })
        publishes += 1
      }
      expect(publishes).toBeGreaterThan(20)
      const byMsg = new Map<unknown, number>()
      for (const l of lines) byMsg.set(l.msg, (byMsg.get(l.msg) ?? 0) + 1)
      const summary = JSON.stringify(Object.fromEntries(byMsg))
      for (const count of byMsg.values()) expect(count, summary).toBe(1)
      expect(lines.filter((l) => l.level === 'error').length, summary).toBeLessThanOrEqual(1)
    } finally {
      await bus.close()
    }
  }, 20_000)
})
