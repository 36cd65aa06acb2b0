import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { LogEntry } from '../app.js'
import type { RateLimiter } from '../auth/rate-limit.js'
import type { ServerConfig } from '../config.js'
import { createRedisRateLimiter } from '../node/auth/redis-rate-limit.js'
import { until } from '../test/cluster.js'
import {
  codeOf,
  controlledHasher,
  expectCode,
  GLOBAL_SECRET,
  type TestServer,
  testServer,
} from '../test/harness.js'
import { redisUrl, skipWithout } from '../test/services.js'

// What bounds password hashing: attempts reserved before the hash (per username+IP, per user, per IP)
// and the hashing gate (a few at once, a short queue, 503 beyond). Bursts are concurrent requests against
// a hasher held shut until every request has either been answered or is inside the hasher, so no request
// can finish before the last one has been judged.

const N = 25
const L = 5
const USERS_SEEDED = 3

async function serverWith(config: Partial<ServerConfig>, extra: { rateLimiter?: RateLimiter } = {}) {
  const control = controlledHasher()
  const log: LogEntry[] = []
  const s = await testServer({ config, hasher: control.hasher, log: (e) => log.push(e), ...extra })
  return { s, control, log }
}

/**
 * Sends every request at once while the hasher is held; releases it once each request is answered or
 * hashing; returns the responses in order.
 */
async function burst(
  control: ReturnType<typeof controlledHasher>,
  send: Array<() => Response | Promise<Response>>,
) {
  const before = control.calls.hash + control.calls.verify
  let answered = 0
  control.hold()
  const pending = send.map((request) =>
    Promise.resolve(request()).then((res) => {
      answered += 1
      return res
    }),
  )
  try {
    await vi.waitFor(
      () => expect(answered + control.calls.hash + control.calls.verify - before).toBe(send.length),
      { timeout: 5_000, interval: 2 },
    )
  } finally {
    control.release()
  }
  return Promise.all(pending)
}

const statuses = (responses: Response[]) => responses.map((r) => r.status)
const count = (responses: Response[], status: number) => responses.filter((r) => r.status === status).length

async function expectLimited(responses: Response[]) {
  for (const res of responses.filter((r) => r.status === 429)) {
    expect(await codeOf(res)).toBe('rate_limited')
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(55)
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(60)
  }
}

const login = (s: TestServer, username: string, password: string, ip = '10.0.0.1') =>
  s.json('POST', '/auth/login', { username, password }, { 'x-test-ip': ip })

const register = (s: TestServer, username: string, ip = '10.0.0.1') =>
  s.json('POST', '/auth/register', { username, password: `${username}-password` }, { 'x-test-ip': ip })

/** The login and password-change limits hold against a concurrent burst, on the given limiter. */
function concurrentGuesses(limiter: () => Promise<{ rateLimiter?: RateLimiter }>) {
  // The gate and the per-IP limit are opened wide: what is measured here is the per-username limit alone.
  const config = { loginRate: L, ipRate: 1_000, hashConcurrency: N }

  it(`${N} concurrent wrong-password logins evaluate at most ${L} passwords; the rest get 429`, async () => {
    const { s, control } = await serverWith(config, await limiter())
    const responses = await burst(
      control,
      Array.from({ length: N }, () => () => login(s, 'alice', 'wrong-password')),
    )
    expect(control.calls.verify).toBeLessThanOrEqual(L)
    expect(count(responses, 401)).toBe(control.calls.verify)
    expect(count(responses, 429)).toBe(N - control.calls.verify)
    await expectLimited(responses)
    // The window is spent for alice from this address: even the right password waits.
    await expectCode(await login(s, 'alice', 'alice-password'), 429, 'rate_limited')
    expect((await login(s, 'alice', 'alice-password', '10.0.0.2')).status).toBe(200)
  })

  it(`${N} concurrent password changes with a wrong current password evaluate at most ${L}`, async () => {
    const { s, control } = await serverWith(config, await limiter())
    const { access_token } = await s.login('alice')
    const verifiesBefore = control.calls.verify
    const change = () =>
      s.bearer(access_token, 'POST', '/auth/password', {
        current_password: 'not-the-password',
        new_password: 'alice-new-password',
      })
    const responses = await burst(
      control,
      Array.from({ length: N }, () => change),
    )
    const evaluated = control.calls.verify - verifiesBefore
    expect(evaluated).toBeLessThanOrEqual(L)
    expect(statuses(responses).filter((st) => st === 401)).toHaveLength(evaluated)
    expect(count(responses, 429)).toBe(N - evaluated)
    await expectLimited(responses)
    expect(control.calls.hash).toBe(USERS_SEEDED) // no new password was hashed
  })
}

describe('login and password-change limits, reserved before the hash: memory limiter', () => {
  concurrentGuesses(async () => ({}))
})

const skip = skipWithout(['redis'], 'Redis login limit')
describe.skipIf(skip)(`login and password-change limits: Redis limiter${skip ? ` (${skip})` : ''}`, () => {
  const open: Array<ReturnType<typeof createRedisRateLimiter>> = []
  const fellBack: Array<Record<string, string>> = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((l) => l.close()))
    // Every attempt was counted in Redis, none by the in-process fallback.
    expect(fellBack.splice(0)).toEqual([])
  })
  concurrentGuesses(async () => {
    const prefix = `leash:test:${randomBytes(6).toString('hex')}:`
    const rateLimiter = createRedisRateLimiter({
      url: redisUrl!,
      secret: GLOBAL_SECRET,
      prefix,
      commandTimeoutMs: 2_000,
      log: (e) => fellBack.push(e),
    })
    open.push(rateLimiter)
    await until(async () => rateLimiter.connected(), 5_000, 'the limiter connected')
    return { rateLimiter }
  })
})

describe('per-IP limit on login and register', () => {
  it(`${N} concurrent logins with as many usernames from one address evaluate at most ${L} passwords`, async () => {
    const { s, control } = await serverWith({ ipRate: L, hashConcurrency: N })
    // The decoy hash for unknown usernames is made once; made here, each login below is one verify.
    await expectCode(await login(s, 'nobody', 'wrong-password', '10.0.0.9'), 401, 'invalid_credentials')
    const before = control.calls.verify
    const responses = await burst(
      control,
      Array.from({ length: N }, (_, i) => () => login(s, `guess${i}`, 'wrong-password')),
    )
    const evaluated = control.calls.verify - before
    expect(evaluated).toBeLessThanOrEqual(L)
    expect(count(responses, 401)).toBe(evaluated)
    expect(count(responses, 429)).toBe(N - evaluated)
    await expectLimited(responses)
    // Another address has its own budget.
    expect((await login(s, 'alice', 'alice-password', '10.0.0.2')).status).toBe(200)
  })

  it('counts every attempt, successes too, across login and register; the window passes', async () => {
    const { s, control } = await serverWith({ ipRate: 3 })
    expect((await login(s, 'alice', 'alice-password')).status).toBe(200)
    expect((await login(s, 'bob', 'bob-password')).status).toBe(200)
    expect((await register(s, 'carol')).status).toBe(201)
    const hashes = control.calls.hash
    const refused = await register(s, 'dave')
    await expectCode(refused, 429, 'rate_limited')
    expect(refused.headers.get('retry-after')).toBe('60')
    expect(await s.store.findUserByUsername('dave')).toBeNull()
    expect(control.calls.hash).toBe(hashes) // refused before hashing
    await expectCode(await login(s, 'alice', 'alice-password'), 429, 'rate_limited')
    expect((await register(s, 'dave', '10.0.0.2')).status).toBe(201)
    s.clock.advance(60)
    expect((await login(s, 'alice', 'alice-password')).status).toBe(200)
  })

  it(`${N} concurrent registrations from one address hash at most ${L} passwords`, async () => {
    const { s, control } = await serverWith({ ipRate: L, hashConcurrency: N })
    const before = control.calls.hash
    const responses = await burst(
      control,
      Array.from({ length: N }, (_, i) => () => register(s, `new${i}`)),
    )
    expect(control.calls.hash - before).toBe(L)
    expect(count(responses, 201)).toBe(L)
    expect(count(responses, 429)).toBe(N - L)
    expect((await s.store.listUsers()).length).toBe(USERS_SEEDED + L)
  })

  it('a request refused for bad input spends nothing', async () => {
    const { s } = await serverWith({ ipRate: 1 })
    for (const body of [{}, { username: 'alice' }, { username: 'alice', password: '' }]) {
      expect((await s.json('POST', '/auth/register', body, { 'x-test-ip': '10.0.0.1' })).status).toBe(400)
      expect((await s.json('POST', '/auth/login', body, { 'x-test-ip': '10.0.0.1' })).status).toBe(400)
    }
    expect((await login(s, 'alice', 'alice-password')).status).toBe(200)
  })
})

describe('the hashing gate on the routes', () => {
  it('refuses hashes beyond concurrency + queue with 503 server_busy and Retry-After, logged at warn', async () => {
    // Queued calls cannot be seen from outside, so the gate is filled with running ones (the queue's
    // order and bound are hash-gate.test.ts's).
    const { s, control, log } = await serverWith({ hashConcurrency: 2, hashQueue: 0, ipRate: 1_000 })
    const { access_token } = await s.login('bob')
    const before = { ...control.calls }
    control.hold()
    const admitted = [login(s, 'alice', 'wrong-1', '10.0.0.1'), login(s, 'alice', 'wrong-2', '10.0.0.2')]
    await vi.waitFor(() => expect(control.calls.verify - before.verify).toBe(2), {
      timeout: 2_000,
      interval: 2,
    })

    const refused = [
      await login(s, 'alice', 'alice-password', '10.0.0.3'),
      await login(s, 'nobody', 'whatever', '10.0.0.4'), // the decoy hash for an unknown username
      await register(s, 'carol', '10.0.0.5'),
      await s.bearer(access_token, 'POST', '/auth/password', {
        current_password: 'bob-password',
        new_password: 'bob-new-password',
      }),
    ]
    for (const res of refused) {
      await expectCode(res, 503, 'server_busy')
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    }
    expect(control.calls).toEqual({ hash: before.hash, verify: before.verify + 2 }) // none reached the hasher
    const warnings = log.filter((e) => e.level === 'warn')
    expect(warnings).toHaveLength(refused.length)
    expect(warnings.map((e) => e.msg)).toEqual(refused.map(() => 'server busy: password hashing at capacity'))
    expect(await s.store.findUserByUsername('carol')).toBeNull()

    control.release()
    for (const res of await Promise.all(admitted)) await expectCode(res, 401, 'invalid_credentials')
    // Room again: the refused decoy was not kept, the password is unchanged, registration works.
    await expectCode(await login(s, 'nobody', 'whatever', '10.0.0.4'), 401, 'invalid_credentials')
    expect((await login(s, 'bob', 'bob-password', '10.0.0.6')).status).toBe(200)
    expect((await register(s, 'carol', '10.0.0.5')).status).toBe(201)
  })
})
