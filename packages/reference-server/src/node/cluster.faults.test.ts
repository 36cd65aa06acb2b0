import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { skipUnless } from '../../../../test/skip.js'
import type { Store } from '../store/types.js'
import {
  call,
  freePort,
  type Instance,
  login,
  openSchema,
  seed,
  startInstance,
  until,
} from '../test/cluster.js'
import { skipWithout } from '../test/services.js'

// Faults, on a PostgreSQL and a Redis of this file's own (other test files share the CI ones, so these
// are started here, with scripts/services.sh, to be killed, frozen and stopped without harming them).
// Three server processes: Redis killed and frozen, PostgreSQL stopped, one instance killed.

const script = fileURLToPath(new URL('../../../../scripts/services.sh', import.meta.url))
const installed =
  spawnSync('sh', ['-c', 'command -v redis-server && ls /usr/lib/postgresql/*/bin/pg_ctl'], {
    stdio: 'ignore',
  }).status === 0
const skip =
  skipWithout(['database', 'redis'], 'fault') ||
  skipUnless(installed, 'fault tests', 'the postgresql and redis-server packages installed')

describe.skipIf(skip)(`faults across three instances${skip ? ` (${skip})` : ''}`, () => {
  const env: Record<string, string> = {}
  const services = (command: string) =>
    execFileSync('bash', [script, command], { env: { ...process.env, ...env } })
  const redisPid = () => Number(readFileSync(`${env.LEASH_SERVICES_DIR}/redis.pid`, 'utf8').trim())
  let databaseUrl = ''
  let redisUrl = ''
  let store: Store
  let instances: Instance[] = []
  let serverEnv: Record<string, string>
  const a = () => instances[0]!
  const b = () => instances[1]!
  const c = () => instances[2]!

  beforeAll(async () => {
    env.LEASH_SERVICES_DIR = `/tmp/leash-faults-${process.pid}-${Date.now()}`
    env.LEASH_PG_PORT = String(await freePort())
    env.LEASH_REDIS_PORT = String(await freePort())
    const exports = services('start').toString()
    databaseUrl = /LEASH_TEST_DATABASE_URL=(\S+)/.exec(exports)![1]!
    redisUrl = /LEASH_TEST_REDIS_URL=(\S+)/.exec(exports)![1]!
    store = await openSchema(databaseUrl, 'public')
    await seed(store, ['root'], 'admin')
    await seed(
      store,
      Array.from({ length: 10 }, (_, i) => `u${i}`),
    )
    serverEnv = { LEASH_DATABASE: databaseUrl, LEASH_REDIS_URL: redisUrl }
    instances = await Promise.all(['A', 'B', 'C'].map((name) => startInstance(name, serverEnv)))
  }, 60_000)

  afterAll(async () => {
    if (env.LEASH_SERVICES_DIR) {
      try {
        process.kill(redisPid(), 'SIGCONT')
      } catch {}
    }
    await Promise.all(instances.map((i) => i.stop()))
    await store?.close().catch(() => {})
    if (env.LEASH_SERVICES_DIR) services('stop')
  }, 30_000)

  async function warmSession(username: string) {
    const tokens = await login(a().url, username)
    for (const i of [a(), c()]) {
      expect((await call(i.url, 'GET', '/api/notes', { token: tokens.access })).status).toBe(200)
    }
    return tokens
  }
  const codesOnAAndC = (token: string) =>
    Promise.all(
      [a(), c()].map(async (i) => (await call(i.url, 'GET', '/api/notes', { token })).body.error?.code),
    )
  const health = async (i: Instance) => (await call(i.url, 'GET', '/readyz')).body
  const allBusesUp = () =>
    until(
      async () => (await Promise.all(instances.map(health))).every((h) => h.bus === 'ok'),
      15_000,
      'the bus to be live again on every instance',
    )

  it('Redis killed: no revoked token is accepted anywhere, service continues, then recovers', async () => {
    const root = await login(b().url, 'root')
    const ended = await warmSession('u0')
    const survivor = await warmSession('u1')
    const revoked = await warmSession('u2')

    process.kill(redisPid(), 'SIGKILL')
    await until(async () => (await health(a())).bus === 'down', 5_000, 'A to see the bus down')
    await until(async () => (await health(c())).bus === 'down', 5_000, 'C to see the bus down')
    expect(await health(c())).toMatchObject({ status: 'degraded', store: 'ok', bus: 'down' })
    // Not ready (503) without the bus, yet alive: an orchestrator restarts nothing.
    expect((await call(c().url, 'GET', '/readyz')).status).toBe(503)
    expect((await call(c().url, 'GET', '/healthz')).status).toBe(200)

    // Revocations while the bus is down: the store has them, and the instances read the store.
    expect((await call(b().url, 'POST', '/auth/logout', { token: ended.access })).status).toBe(200)
    expect(await codesOnAAndC(ended.access)).toEqual(['session_revoked', 'session_revoked'])
    expect(
      (
        await call(b().url, 'POST', `/admin/users/${(await store.findUserByUsername('u2'))!.id}/revoke`, {
          token: root.access,
        })
      ).status,
    ).toBe(200)
    expect(await codesOnAAndC(revoked.access)).toEqual(['invalid_token', 'invalid_token'])
    // The service goes on: valid tokens work, logins work (the rate limiter falls back to each instance).
    expect(await codesOnAAndC(survivor.access)).toEqual([undefined, undefined])
    const fresh = await login(c().url, 'u3')
    expect((await call(a().url, 'GET', '/api/notes', { token: fresh.access })).status).toBe(200)
    expect(
      (await call(b().url, 'POST', '/auth/login', { body: { username: 'u3', password: 'nope-nope' } }))
        .status,
    ).toBe(401)

    services('start') // Redis again, same port
    await allBusesUp()
    // Back on the bus: the caches started empty, nothing revoked came back, and new revocations travel.
    expect(await codesOnAAndC(ended.access)).toEqual(['session_revoked', 'session_revoked'])
    expect(await codesOnAAndC(revoked.access)).toEqual(['invalid_token', 'invalid_token'])
    expect(await codesOnAAndC(survivor.access)).toEqual([undefined, undefined])
    expect((await call(b().url, 'POST', '/auth/logout', { token: survivor.access })).status).toBe(200)
    expect(await codesOnAAndC(survivor.access)).toEqual(['session_revoked', 'session_revoked'])
  }, 60_000)

  it('Redis frozen (SIGSTOP): a logout on B still reaches A and C before B answers', async () => {
    const t = await warmSession('u4')
    const other = await warmSession('u5')
    const pid = redisPid()
    process.kill(pid, 'SIGSTOP')
    try {
      const started = Date.now()
      expect((await call(b().url, 'POST', '/auth/logout', { token: t.access })).status).toBe(200)
      const took = Date.now() - started
      expect(await codesOnAAndC(t.access)).toEqual(['session_revoked', 'session_revoked'])
      expect(await codesOnAAndC(other.access)).toEqual([undefined, undefined])
      console.log(`logout on B with Redis frozen answered in ${took} ms (the bus lease is 1000 ms)`)
    } finally {
      process.kill(pid, 'SIGCONT')
    }
    await allBusesUp()
    expect(await codesOnAAndC(t.access)).toEqual(['session_revoked', 'session_revoked'])
  }, 60_000)

  it('PostgreSQL stopped: 503 store_unavailable and never a 500; recovers without a restart', async () => {
    const t = await warmSession('u6')
    services('pg-stop')
    try {
      const statuses: number[] = []
      const requests = [
        () => call(a().url, 'GET', '/api/notes', { token: t.access }),
        () => call(b().url, 'POST', '/api/notes', { token: t.access, body: { text: 'while down' } }),
        () => call(c().url, 'POST', '/auth/login', { body: { username: 'u7', password: 'u7-password' } }),
        () => call(a().url, 'POST', '/auth/refresh', { body: { refresh_token: t.refresh } }),
        () => call(b().url, 'POST', '/auth/logout', { token: t.access }),
        () => call(c().url, 'GET', '/auth/me', { token: t.access }),
        () => call(a().url, 'GET', '/readyz'),
      ]
      for (let round = 0; round < 3; round++) {
        for (const request of requests) {
          const res = await request()
          statuses.push(res.status)
          if (res.status === 503 && res.body.error) expect(res.body.error.code).toBe('store_unavailable')
          expect(res.body.access_token).toBeUndefined() // no token is issued without the store
        }
      }
      expect(statuses).not.toContain(500)
      expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(15)
      // Readiness is probed at most once a second: within a second or two, every instance says so.
      await until(
        async () => (await Promise.all(instances.map(health))).every((h) => h.store === 'down'),
        5_000,
        'every instance to report the store down',
      )
      expect(await health(b())).toMatchObject({ status: 'unavailable', store: 'down' })
      // Alive (an orchestrator must not restart every instance for a database blip), but not ready.
      for (const i of instances) {
        expect((await call(i.url, 'GET', '/healthz')).status).toBe(200)
        expect((await call(i.url, 'GET', '/readyz')).status).toBe(503)
      }
    } finally {
      services('pg-start')
    }
    await until(
      async () => (await Promise.all(instances.map(health))).every((h) => h.store === 'ok'),
      15_000,
      'the store to be back on every instance',
    )
    for (const i of instances) expect((await call(i.url, 'GET', '/readyz')).status).toBe(200)
    // The session outlived the outage: its token and its refresh token still work, on any instance.
    expect((await call(c().url, 'GET', '/api/notes', { token: t.access })).status).toBe(200)
    const refreshed = await call(b().url, 'POST', '/auth/refresh', { body: { refresh_token: t.refresh } })
    expect(refreshed.status).toBe(200)
    expect(
      (
        await call(a().url, 'POST', '/api/notes', {
          token: refreshed.body.access_token as string,
          body: { text: 'after' },
        })
      ).status,
    ).toBe(201)
  }, 60_000)

  it('one instance killed and restarted: no session is lost', async () => {
    const t = await login(b().url, 'u8')
    expect((await call(b().url, 'GET', '/api/notes', { token: t.access })).status).toBe(200)
    await b().kill()
    expect((await call(a().url, 'GET', '/api/notes', { token: t.access })).status).toBe(200)
    const refreshed = await call(c().url, 'POST', '/auth/refresh', { body: { refresh_token: t.refresh } })
    expect(refreshed.status).toBe(200)
    instances[1] = await startInstance('B2', serverEnv)
    expect((await call(b().url, 'GET', '/api/notes', { token: t.access })).status).toBe(200)
    const again = await call(b().url, 'POST', '/auth/refresh', {
      body: { refresh_token: refreshed.body.refresh_token },
    })
    expect(again.status).toBe(200)
    expect(
      (await call(b().url, 'GET', '/auth/me', { token: again.body.access_token as string })).status,
    ).toBe(200)
  }, 60_000)
})
