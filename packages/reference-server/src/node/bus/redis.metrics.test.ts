import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, type LeashApp } from '../../app.js'
import { createPbkdf2Hasher } from '../../auth/passwords.js'
import type { Bus } from '../../bus/types.js'
import { seedUsers } from '../../seed.js'
import { createMemoryStore } from '../../store/memory.js'
import { freePort, until } from '../../test/cluster.js'
import { sample } from '../../test/exposition.js'
import { GLOBAL_SECRET } from '../../test/harness.js'
import { redisUrl, skipWithout } from '../../test/services.js'
import { createPromMetrics } from '../metrics.js'
import { createRedisBus } from './redis.js'

const skip = skipWithout(['redis'], 'Redis bus metrics')

describe.skipIf(skip)(`Redis bus metrics${skip ? ` (${skip})` : ''}`, () => {
  const open: Array<{ close(): unknown }> = []
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close()
  })
  const instance = (channel: string, options: { url?: string; name?: string; leaseMs?: number } = {}) => {
    const prom = createPromMetrics()
    const bus: Bus = createRedisBus({ url: redisUrl!, channel, metrics: prom.metrics, ...options })
    prom.watchBus(bus)
    open.push(bus)
    return { prom, bus, text: () => prom.text() }
  }

  it('times a revocation on one instance to its application on another, in the other’s histogram only', async () => {
    const channel = `leash:test:${randomBytes(6).toString('hex')}`
    const store = createMemoryStore()
    const hasher = createPbkdf2Hasher(1_000)
    await seedUsers(store, hasher, [{ username: 'alice', password: 'alice-password' }], Date.now())
    const apps = [instance(channel), instance(channel)].map(({ prom, bus, text }) => {
      const app: LeashApp = createApp({
        store,
        bus,
        hasher,
        globalSecret: GLOBAL_SECRET,
        metrics: prom.metrics,
        clientIp: () => '127.0.0.1',
        config: { secureCookies: false },
      })
      open.push(app)
      return { app, bus, text }
    })
    const [one, two] = apps as [(typeof apps)[0], (typeof apps)[0]]
    await until(async () => one.bus.live() && two.bus.live(), 5_000, 'both subscribed')
    const signedIn = await one.app.request('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'alice-password', refresh_transport: 'body' }),
    })
    const { access_token } = (await signedIn.json()) as { access_token: string }
    const me = () => two.app.request('/auth/me', { headers: { authorization: `Bearer ${access_token}` } })
    expect((await me()).status).toBe(200) // instance two caches the session

    const before = sample(await two.text(), 'leash_revocation_propagation_seconds_count') ?? 0
    const out = await one.app.request('/auth/logout', {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(out.status).toBe(200)
    // Logout answers once every instance acknowledged: two has applied it and timed it already.
    const t = await two.text()
    expect(sample(t, 'leash_revocation_propagation_seconds_count')).toBe(before + 1)
    expect(sample(t, 'leash_revocation_propagation_seconds_sum')).toBeLessThan(1)
    expect(sample(t, 'leash_revocation_propagation_seconds_bucket', { le: '+Inf' })).toBe(before + 1)
    expect(sample(await one.text(), 'leash_revocation_propagation_seconds_count')).toBe(0)
    expect((await me()).status).toBe(401)
  })

  it('leash_bus_up flips to 0 when the subscription is lost, and back to 1 when it stands again', async () => {
    const name = randomBytes(4).toString('hex')
    const { bus, text } = instance(`leash:test:${randomBytes(6).toString('hex')}`, { name })
    await until(async () => bus.live(), 5_000, 'subscribed')
    expect(sample(await text(), 'leash_bus_up')).toBe(1)
    const raw = new Redis(redisUrl!)
    try {
      const clients = (await raw.client('LIST')) as string
      const id = /id=(\d+) /.exec(clients.split('\n').find((l) => l.includes(`name=leash-sub-${name}`)) ?? '')
      expect(id).not.toBeNull()
      await raw.client('KILL', 'ID', id![1]!)
    } finally {
      raw.disconnect()
    }
    await until(async () => sample(await text(), 'leash_bus_up') === 0, 2_000, 'bus_up 0')
    await until(async () => sample(await text(), 'leash_bus_up') === 1, 5_000, 'bus_up 1 again')
  })

  it('without Redis: bus_up 0, and the failed publish and the connection errors counted', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`
    const { bus, text } = instance(`leash:test:${randomBytes(6).toString('hex')}`, { url, leaseMs: 200 })
    await bus.publish({ kind: 'all' })
    await until(
      async () => (sample(await text(), 'leash_bus_errors_total', { operation: 'subscriber' }) ?? 0) > 0,
      5_000,
      'a subscriber error counted',
    )
    const t = await text()
    expect(sample(t, 'leash_bus_up')).toBe(0)
    expect(sample(t, 'leash_bus_errors_total', { operation: 'publish' })).toBe(1)
    expect(sample(t, 'leash_bus_errors_total', { operation: 'publisher' })).toBeGreaterThan(0)
  })
})
