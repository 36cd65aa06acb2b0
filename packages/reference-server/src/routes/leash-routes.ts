import { Hono } from 'hono'
import type { ServerConfig } from '../config.js'
import type { AppEnv } from '../context.js'
import type { LogEntry } from '../log.js'
import { type Metrics, noMetrics } from '../metrics.js'
import { BODY_METHODS, limitBody } from '../middleware/body-limit.js'
import { corsFor } from '../middleware/cors.js'
import { countRequest } from '../middleware/count-request.js'
import { handleError } from './handle-error.js'

/**
 * /auth/* and /admin/* as one Hono app to mount under any prefix (`app.route('/identity', leash.endpoints)`),
 * carrying what they need wherever they land: their own error handler (so the host app's never sees
 * theirs), body limit, CORS, response headers and the request metrics. The refresh cookie's `Path`
 * follows the prefix.
 */
export function leashRoutes(parts: {
  auth: Hono<AppEnv>
  admin: Hono<AppEnv>
  config: ServerConfig
  log: (entry: LogEntry) => void
  metrics?: Metrics
}): Hono {
  const metrics = parts.metrics ?? noMetrics
  const counted = metrics !== noMetrics
  const routes = new Hono<AppEnv>()
  // Scoped to Leash's own paths: mounted at '/', they must not touch the host app's other routes.
  for (const path of ['/auth/*', '/admin/*']) {
    // Token and user data: never cached, never sniffed.
    routes.use(path, async (c, next) => {
      const started = counted ? performance.now() : 0
      c.header('X-Content-Type-Options', 'nosniff')
      c.header('Cache-Control', 'no-store')
      await next()
      if (counted) countRequest(metrics, c, started)
    })
    if (parts.config.corsOrigins.length > 0) routes.use(path, corsFor(parts.config))
    routes.on(BODY_METHODS, path, limitBody)
  }
  routes.route('/auth', parts.auth)
  routes.route('/admin', parts.admin)
  routes.onError(handleError(parts.log))
  return routes as unknown as Hono
}
