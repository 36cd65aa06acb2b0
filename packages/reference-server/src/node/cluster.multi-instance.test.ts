import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Store, UserRecord } from '../store/types.js'
import { call, type Instance, login, openSchema, percentile, seed, startInstance } from '../test/cluster.js'
import { databaseUrl, dropSchema, freshSchema, redisUrl, skipWithout } from '../test/services.js'
import { randomId, randomToken } from '../tokens/random.js'

// Three server processes sharing one PostgreSQL and one Redis: a revocation on B is seen by A and C at the
// very next request. Skipped (with the reason) unless LEASH_TEST_DATABASE_URL and LEASH_TEST_REDIS_URL are set.

const skip = skipWithout(['database', 'redis'], 'three-instance')

describe.skipIf(skip)(`three instances on PostgreSQL + Redis${skip ? ` (${skip})` : ''}`, () => {
  const schema = freshSchema()
  const limited = `limited_${schema}`
  let store: Store
  let a: Instance
  let b: Instance
  let c: Instance
  let users: UserRecord[]

  beforeAll(async () => {
    store = await openSchema(databaseUrl!, schema)
    await seed(store, ['root'], 'admin')
    users = await seed(
      store,
      Array.from({ length: 9 }, (_, i) => `user${i}`),
    )
    // Failed-login counters live in the shared Redis for a minute: a name of this run's own.
    await seed(store, [limited])
    const env = { LEASH_DATABASE: `${databaseUrl}?schema=${schema}`, LEASH_REDIS_URL: redisUrl! }
    const started = await Promise.all(['A', 'B', 'C'].map((name) => startInstance(name, env)))
    ;[a, b, c] = [started[0]!, started[1]!, started[2]!]
  }, 60_000)

  afterAll(async () => {
    await Promise.all([a, b, c].map((i) => i?.stop()))
    await store?.close()
    await dropSchema(schema)
  }, 30_000)

  /** Signs in on A, and proves the token works on A and C (so both have the user and session cached). */
  async function warmSession(username: string) {
    const tokens = await login(a.url, username)
    for (const i of [a, c])
      expect((await call(i.url, 'GET', '/api/notes', { token: tokens.access })).status).toBe(200)
    return tokens
  }
  const rejectedOnAAndC = async (token: string) =>
    Promise.all([a, c].map(async (i) => (await call(i.url, 'GET', '/api/notes', { token })).body.error?.code))

  it('ending the session (logout) on B: A and C answer session_revoked at the next request', async () => {
    const t = await warmSession('user0')
    expect((await call(b.url, 'POST', '/auth/logout', { token: t.access })).status).toBe(200)
    expect(await rejectedOnAAndC(t.access)).toEqual(['session_revoked', 'session_revoked'])
  })

  it("signing out one of the user's devices on B (DELETE /auth/sessions/:id): A and C refuse it at the next request", async () => {
    const phone = await warmSession('user6')
    const laptop = await warmSession('user6')
    const listed = await call(b.url, 'GET', '/auth/sessions', { token: laptop.access })
    const sessions = listed.body.sessions as Array<{ id: string; current: boolean }>
    expect(sessions.map((x) => [x.id, x.current]).sort()).toEqual(
      [
        [phone.sid, false],
        [laptop.sid, true],
      ].sort(),
    )
    const revoked = await call(b.url, 'DELETE', `/auth/sessions/${phone.sid}`, { token: laptop.access })
    expect(revoked).toMatchObject({ status: 200, body: { revoked: phone.sid, current: false } })
    expect(await rejectedOnAAndC(phone.access)).toEqual(['session_revoked', 'session_revoked'])
    const refresh = await call(c.url, 'POST', '/auth/refresh', { body: { refresh_token: phone.refresh } })
    expect(refresh.body.error?.code).toBe('session_revoked')
    // The device that signed it out goes on, everywhere.
    for (const i of [a, b, c])
      expect((await call(i.url, 'GET', '/api/notes', { token: laptop.access })).status).toBe(200)
  })

  it("revoking the user on B: A and C refuse the user's tokens at the next request", async () => {
    const root = await login(b.url, 'root')
    const t = await warmSession('user1')
    const other = await warmSession('user2')
    expect(
      (await call(b.url, 'POST', `/admin/users/${users[1]!.id}/revoke`, { token: root.access })).status,
    ).toBe(200)
    expect(await rejectedOnAAndC(t.access)).toEqual(['invalid_token', 'invalid_token'])
    // Another user is untouched.
    expect((await call(c.url, 'GET', '/api/notes', { token: other.access })).status).toBe(200)
  })

  it('disabling the user on B: A and C answer 403 user_disabled at the next request', async () => {
    const root = await login(b.url, 'root')
    const t = await warmSession('user3')
    expect(
      (await call(b.url, 'POST', `/admin/users/${users[3]!.id}/disable`, { token: root.access })).status,
    ).toBe(200)
    for (const i of [a, c]) {
      const res = await call(i.url, 'GET', '/api/notes', { token: t.access })
      expect(res.status).toBe(403)
      expect(res.body).toMatchObject({ error: { code: 'user_disabled' }, user_enabled: false })
    }
    expect((await call(a.url, 'POST', '/auth/refresh', { body: { refresh_token: t.refresh } })).status).toBe(
      403,
    )
  })

  it('a sign-in on B beyond the cap of live sessions: A and C refuse the session it ended at the next request', async () => {
    const first = await warmSession('user8')
    // 99 more sessions, each used more recently than the first: the 100th sign-in ends the first.
    for (let i = 0; i < 99; i++) {
      const at = Date.now() + 1 + i
      await store.createSession(
        {
          ...{ id: randomId(), userId: users[8]!.id, createdAt: at, lastRefreshAt: at, authTime: at },
          ...{ absoluteExpiresAt: at + 3_600_000, transport: 'body', userAgent: null },
          ...{ endedAt: null, endReason: null },
        },
        randomToken(32),
      )
    }
    const newest = await login(b.url, 'user8')
    expect(await rejectedOnAAndC(first.access)).toEqual(['session_revoked', 'session_revoked'])
    const listed = await call(c.url, 'GET', '/auth/sessions', { token: newest.access })
    expect((listed.body.sessions as unknown[]).length).toBe(100)
  })

  it('logout-all on B: every session of the user dies on A and C', async () => {
    const t1 = await warmSession('user4')
    const t2 = await warmSession('user4')
    expect((await call(b.url, 'POST', '/auth/logout-all', { token: t1.access })).status).toBe(200)
    expect(await rejectedOnAAndC(t1.access)).toEqual(['invalid_token', 'invalid_token'])
    expect(await rejectedOnAAndC(t2.access)).toEqual(['invalid_token', 'invalid_token'])
  })

  it('a session started on A is refreshed on A, then on C, and used on B (shared store)', async () => {
    const t = await login(a.url, 'user5')
    const next = await call(a.url, 'POST', '/auth/refresh', { body: { refresh_token: t.refresh } })
    expect(next.status).toBe(200)
    const again = await call(c.url, 'POST', '/auth/refresh', {
      body: { refresh_token: next.body.refresh_token },
    })
    expect(again.status).toBe(200)
    // Sessions live in PostgreSQL: any instance continues the family.
    expect((await call(b.url, 'GET', '/auth/me', { token: again.body.access_token as string })).status).toBe(
      200,
    )
  })

  it('shares the failed-login limit across instances (Redis)', async () => {
    const limit = 10
    for (let n = 0; n < limit; n++) {
      const at = [a, b, c][n % 3]!
      const res = await call(at.url, 'POST', '/auth/login', {
        body: { username: limited, password: 'wrong-password' },
      })
      expect(res.status).toBe(401)
    }
    for (const i of [a, b, c]) {
      const res = await call(i.url, 'POST', '/auth/login', {
        body: { username: limited, password: 'wrong-password' },
      })
      expect(res.status).toBe(429)
    }
  })

  it('measures, over 200 revocations on B, how soon A and C reject (printed; the assertion is the next request)', async () => {
    const root = await login(b.url, 'root')
    const delays: number[] = []
    const ordinary: number[] = []
    const revoking: number[] = []
    // The same request, A and C at once, timed from the moment it is sent.
    const onAAndC = (token: string, into: number[]) => {
      const sent = performance.now()
      return Promise.all(
        [a, c].map(async (i) => {
          const r = await call(i.url, 'GET', '/api/notes', { token })
          into.push(performance.now() - sent)
          return r.status
        }),
      )
    }
    for (let n = 0; n < 200; n++) {
      const t = await warmSession('user7')
      expect(await onAAndC(t.access, ordinary)).toEqual([200, 200]) // the baseline: a cached, accepted request
      // Even rounds end one session (logout); odd rounds revoke the user (a user-string rotation).
      const started = performance.now()
      const res =
        n % 2 === 0
          ? await call(b.url, 'POST', '/auth/logout', { token: t.access })
          : await call(b.url, 'POST', `/admin/users/${users[7]!.id}/revoke`, { token: root.access })
      expect(res.status).toBe(200)
      revoking.push(performance.now() - started)
      // Sent the moment B answered: the very next request on A and C.
      expect(await onAAndC(t.access, delays)).toEqual([401, 401])
    }
    const figures = (values: number[]) =>
      `p50 ${percentile(values, 50).toFixed(2)} ms, p99 ${percentile(values, 99).toFixed(2)} ms`
    console.log(
      `200 revocations on B (n=${delays.length} checks on A and C): first rejection after B's response ` +
        `${figures(delays)}, max ${Math.max(...delays).toFixed(2)} ms; an ordinary cached request ` +
        `${figures(ordinary)}; B's revoking request itself ${figures(revoking)}`,
    )
  }, 120_000)

  it('revoke-all on B: everyone, the caller too, is signed out on every instance', async () => {
    const root = await login(a.url, 'root')
    const t = await warmSession('user5')
    expect((await call(b.url, 'POST', '/admin/revoke-all', { token: root.access })).status).toBe(200)
    expect(await rejectedOnAAndC(t.access)).toEqual(['invalid_token', 'invalid_token'])
    expect((await call(c.url, 'GET', '/admin/users', { token: root.access })).status).toBe(401)
    // Signing in again works everywhere, with the new epoch.
    const fresh = await login(c.url, 'user5')
    expect((await call(a.url, 'GET', '/api/notes', { token: fresh.access })).status).toBe(200)
  })
})
