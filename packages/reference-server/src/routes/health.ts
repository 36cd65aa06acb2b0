import type { HealthResponse, LiveResponse } from '@leash/protocol'
import { Hono } from 'hono'
import type { Bus } from '../bus/types.js'
import type { AppEnv } from '../context.js'
import type { Store } from '../store/types.js'

/** How long a readiness answer is reused: a flood of probes costs the store one ping a second. */
export const READY_CACHE_MS = 1000
/** A ping slower than this counts as a store that is down (a hung database must not hang the probe). */
export const READY_PING_TIMEOUT_MS = 2000

/** The readiness of one app: probed at most once per `READY_CACHE_MS`, and 503 for good once draining. */
export interface Readiness {
  probe(): Promise<HealthResponse>
  /** From now on the app answers not ready: the server is shutting down. */
  drain(): void
}

export function createReadiness({
  store,
  bus,
  now = () => performance.now(),
  pingTimeoutMs = READY_PING_TIMEOUT_MS,
}: {
  store: Store
  bus: Bus
  /** Monotonic milliseconds, for the cache. */
  now?: () => number
  pingTimeoutMs?: number
}): Readiness {
  let draining = false
  let cached: { at: number; body: Promise<HealthResponse> } | undefined
  const ping = () =>
    new Promise<boolean>((done) => {
      const timer = setTimeout(() => done(false), pingTimeoutMs)
      const settle = (up: boolean) => {
        clearTimeout(timer)
        done(up)
      }
      // A store pings through its own query path: on PostgreSQL that waits for the migrations first.
      store.ping().then(
        () => settle(true),
        () => settle(false),
      )
    })
  const check = async (): Promise<HealthResponse> => {
    const storeUp = await ping()
    const busUp = bus.live()
    const status = draining ? 'draining' : !storeUp ? 'unavailable' : busUp ? 'ok' : 'degraded'
    return { status, store: storeUp ? 'ok' : 'down', bus: busUp ? 'ok' : 'down' }
  }
  return {
    probe() {
      const at = now()
      if (!cached || at - cached.at >= READY_CACHE_MS) cached = { at, body: check() }
      return draining ? cached.body.then((b) => ({ ...b, status: 'draining' as const })) : cached.body
    },
    drain() {
      draining = true
    },
  }
}

/** /healthz: liveness, 200 while the process serves. /readyz: readiness, 503 naming the part that is down. */
export function healthRoutes(readiness: Readiness) {
  const app = new Hono<AppEnv>()
  app.get('/healthz', (c) => {
    c.header('Cache-Control', 'no-store')
    return c.json({ status: 'ok' } satisfies LiveResponse, 200)
  })
  app.get('/readyz', async (c) => {
    const body = await readiness.probe()
    c.header('Cache-Control', 'no-store')
    return c.json(body, body.status === 'ok' ? 200 : 503)
  })
  return app
}
