import type { HealthResponse } from '@leash/protocol'
import { Hono } from 'hono'
import type { AppEnv, Deps } from '../context.js'

/** /healthz: 200 when the store answers, 503 naming the part that is down. */
export function healthRoutes({ store, bus }: Deps) {
  const app = new Hono<AppEnv>()
  app.get('/healthz', async (c) => {
    const storeUp = await store.ping().then(
      () => true,
      () => false,
    )
    const busUp = bus.live()
    // A bus that is down costs speed (every check reads the store), not correctness: still 200, 'degraded'.
    const status = !storeUp ? 'unavailable' : busUp ? 'ok' : 'degraded'
    const body: HealthResponse = { status, store: storeUp ? 'ok' : 'down', bus: busUp ? 'ok' : 'down' }
    c.header('Cache-Control', 'no-store')
    return c.json(body, storeUp ? 200 : 503)
  })
  return app
}
