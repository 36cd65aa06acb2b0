import { describe, expect, it } from 'vitest'
import { createInProcessBus } from '../bus/in-process.js'
import { createMemoryStore } from '../store/memory.js'
import { testServer } from '../test/harness.js'
import { createReadiness, READY_CACHE_MS } from './health.js'

// /healthz is liveness (the process serves), /readyz readiness (the store and the bus answer): an
// orchestrator that restarts on /healthz must not restart every instance during a database blip.

describe('/healthz', () => {
  it('200 {status:"ok"} without a token', async () => {
    const s = await testServer()
    const res = await s.app.request('/healthz')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
  })

  it('200 while the store is unreachable: it does not ask the store', async () => {
    const store = createMemoryStore()
    const s = await testServer({ store })
    let pings = 0
    store.ping = () => {
      pings += 1
      return Promise.reject(new Error('down'))
    }
    const res = await s.app.request('/healthz')
    expect(res.status).toBe(200)
    expect(pings).toBe(0)
  })
})

describe('/readyz', () => {
  it('200 when the store and the bus answer; 503 while the store is down; 200 once it is back', async () => {
    const store = createMemoryStore()
    const s = await testServer({ store })
    const ok = await s.app.request('/readyz')
    expect(ok.status).toBe(200)
    expect(ok.headers.get('cache-control')).toBe('no-store')
    expect(await ok.json()).toEqual({ status: 'ok', store: 'ok', bus: 'ok' })
  })

  it('503 when the store is down, 503 when the bus is not live, 503 once draining', async () => {
    const store = createMemoryStore()
    const bus = createInProcessBus()
    let t = 0
    const readiness = createReadiness({ store, bus, now: () => t })
    expect((await readiness.probe()).status).toBe('ok')
    const ping = store.ping
    store.ping = () => Promise.reject(new Error('down'))
    t += READY_CACHE_MS
    expect(await readiness.probe()).toEqual({ status: 'unavailable', store: 'down', bus: 'ok' })
    store.ping = ping
    t += READY_CACHE_MS
    expect((await readiness.probe()).status).toBe('ok')
    bus.live = () => false
    t += READY_CACHE_MS
    expect(await readiness.probe()).toEqual({ status: 'degraded', store: 'ok', bus: 'down' })
    bus.live = () => true
    t += READY_CACHE_MS
    readiness.drain()
    expect((await readiness.probe()).status).toBe('draining')
  })

  it('through the app: 503 with the store down, and again after drain()', async () => {
    const store = createMemoryStore()
    const s = await testServer({ store })
    const ping = store.ping
    store.ping = () => Promise.reject(new Error('down'))
    const down = await s.app.request('/readyz')
    expect(down.status).toBe(503)
    expect(await down.json()).toMatchObject({ status: 'unavailable', store: 'down' })
    expect((await s.app.request('/healthz')).status).toBe(200)
    store.ping = ping
    s.app.drain()
    expect((await s.app.request('/readyz')).status).toBe(503)
  })

  it('a flood of probes costs the store one ping per interval', async () => {
    const store = createMemoryStore()
    let pings = 0
    store.ping = async () => {
      pings += 1
    }
    let t = 0
    const readiness = createReadiness({ store, bus: createInProcessBus(), now: () => t })
    await Promise.all(Array.from({ length: 100 }, () => readiness.probe()))
    t += READY_CACHE_MS - 1
    await readiness.probe()
    expect(pings).toBe(1)
    t += 1
    await readiness.probe()
    expect(pings).toBe(2)
  })

  it('a store that hangs counts as down, within the ping timeout', async () => {
    const store = createMemoryStore()
    store.ping = () => new Promise(() => {})
    const readiness = createReadiness({ store, bus: createInProcessBus(), pingTimeoutMs: 20 })
    expect((await readiness.probe()).store).toBe('down')
  })
})
