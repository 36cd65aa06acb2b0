import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RateLimiter } from '../auth/rate-limit.js'
import type { ServerConfig } from '../config.js'
import { createRedisRateLimiter } from '../node/auth/redis-rate-limit.js'
import { until } from '../test/cluster.js'
import { controlledHasher, expectCode, GLOBAL_SECRET, type TestServer, testServer } from '../test/harness.js'
import { redisUrl, skipWithout } from '../test/services.js'

// The account budget (LEASH_ACCOUNT_RATE: wrong passwords per username, summed over every address) and
// IPv6 keyed by /64, on the memory limiter and on Redis. Addresses the account signed in from before are
// not refused by the account budget, so spending it does not lock the owner out.

const login = (s: TestServer, password: string, ip: string, username = 'alice') =>
  s.json('POST', '/auth/login', { username, password }, { 'x-test-ip': ip })

const statuses = (responses: Response[]) => responses.map((r) => r.status)

function accountBudget(limiter: () => Promise<{ rateLimiter?: RateLimiter }>) {
  const server = async (config: Partial<ServerConfig>) =>
    testServer({ config: { ipRate: 1_000, ...config }, ...(await limiter()) })

  it('6 addresses × a login rate of 2: the account budget stops the guesses past it', async () => {
    const s = await server({ loginRate: 2, accountRate: 5 })
    const answers: Response[] = []
    for (let i = 0; i < 6; i++)
      for (let j = 0; j < 2; j++) answers.push(await login(s, 'wrong-password', `10.0.${i}.1`))
    expect(statuses(answers).filter((st) => st === 401)).toHaveLength(5)
    expect(statuses(answers).filter((st) => st === 429)).toHaveLength(7)
  })

  it('a concurrent burst from 25 addresses evaluates at most the account budget', async () => {
    const control = controlledHasher()
    const s = await testServer({
      config: { loginRate: 10, accountRate: 5, ipRate: 1_000, hashConcurrency: 25 },
      hasher: control.hasher,
      ...(await limiter()),
    })
    const before = control.calls.verify
    let answered = 0
    control.hold()
    const pending = Array.from({ length: 25 }, (_, i) =>
      Promise.resolve(login(s, 'wrong-password', `10.1.${i}.1`)).then((res) => {
        answered += 1
        return res
      }),
    )
    try {
      await vi.waitFor(() => expect(answered + control.calls.verify - before).toBe(25), {
        timeout: 5_000,
        interval: 2,
      })
    } finally {
      control.release()
    }
    const answers = await Promise.all(pending)
    expect(control.calls.verify - before).toBeLessThanOrEqual(5)
    expect(statuses(answers).filter((st) => st === 429)).toHaveLength(25 - (control.calls.verify - before))
  })

  it('spent, it still lets the owner in from an address known to the account; others get 429', async () => {
    const s = await server({ loginRate: 2, accountRate: 4 })
    expect((await login(s, 'alice-password', '192.0.2.7')).status).toBe(200) // alice's own, now known
    for (let i = 0; i < 6; i++) await login(s, 'wrong-password', `10.0.${i}.1`)
    await expectCode(await login(s, 'wrong-password', '10.0.9.1'), 429, 'rate_limited')
    // The owner, from where she signed in before: not refused by the account budget.
    expect((await login(s, 'alice-password', '192.0.2.7')).status).toBe(200)
    // From an address the account has not signed in from: refused, right password or not.
    const refused = await login(s, 'alice-password', '198.51.100.8')
    await expectCode(refused, 429, 'rate_limited')
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60)
    // Other accounts have budgets of their own.
    expect((await login(s, 'bob-password', '10.0.9.1', 'bob')).status).toBe(200)
  })

  it('a right password gives back its attempt: the budget counts wrong passwords', async () => {
    const s = await server({ loginRate: 10, accountRate: 2 })
    expect((await login(s, 'alice-password', '10.2.0.1')).status).toBe(200)
    expect((await login(s, 'wrong-password', '10.2.0.2')).status).toBe(401)
    expect((await login(s, 'wrong-password', '10.2.0.3')).status).toBe(401)
    await expectCode(await login(s, 'wrong-password', '10.2.0.4'), 429, 'rate_limited')
  })

  it('IPv6 addresses in one /64 share the per-username+IP and per-IP budgets', async () => {
    const s = await server({ loginRate: 2, accountRate: 100 })
    expect((await login(s, 'wrong-password', '2001:db8:1:2::1')).status).toBe(401)
    expect((await login(s, 'wrong-password', '2001:db8:1:2::2')).status).toBe(401)
    await expectCode(await login(s, 'wrong-password', '2001:db8:1:2:ffff::3'), 429, 'rate_limited')
    expect((await login(s, 'wrong-password', '2001:db8:1:3::1')).status).toBe(401) // another /64

    const perIp = await server({ ipRate: 3, loginRate: 10, accountRate: 100 })
    for (const [i, user] of ['alice', 'bob', 'carol'].entries())
      expect((await login(perIp, 'wrong-password', `2001:db8:9:9::${i + 1}`, user)).status).toBe(401)
    await expectCode(await login(perIp, 'alice-password', '2001:db8:9:9::a'), 429, 'rate_limited')
    expect((await login(perIp, 'alice-password', '2001:db8:9:8::a')).status).toBe(200)
  })
}

describe('the account budget: memory limiter', () => {
  accountBudget(async () => ({}))
})

const skip = skipWithout(['redis'], 'Redis account budget')
describe.skipIf(skip)(`the account budget: Redis limiter${skip ? ` (${skip})` : ''}`, () => {
  const open: Array<ReturnType<typeof createRedisRateLimiter>> = []
  const fellBack: Array<Record<string, string>> = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((l) => l.close()))
    expect(fellBack.splice(0)).toEqual([]) // every attempt counted in Redis
  })
  accountBudget(async () => {
    const rateLimiter = createRedisRateLimiter({
      url: redisUrl!,
      secret: GLOBAL_SECRET,
      prefix: `leash:test:${randomBytes(6).toString('hex')}:`,
      commandTimeoutMs: 2_000,
      log: (e) => fellBack.push(e),
    })
    open.push(rateLimiter)
    await until(async () => rateLimiter.connected(), 5_000, 'the limiter connected')
    return { rateLimiter }
  })
})
