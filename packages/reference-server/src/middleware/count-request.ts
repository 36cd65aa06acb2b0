import type { Context } from 'hono'
import { routePath } from 'hono/route'
import type { Metrics } from '../metrics.js'
import { answeredCode } from '../send-error.js'

/**
 * Counts an answered request (`started` from `performance.now()`): its duration under the pattern of the
 * route that matched (`/auth/sessions/:id`, never the raw path, so the labels stay few; `/*` when none
 * did), and the code of an error answer (a store outage also as a store error).
 */
export function countRequest(metrics: Metrics, c: Context, started: number): void {
  const status = c.res.status
  metrics.request(routePath(c, -1), c.req.method, status, (performance.now() - started) / 1000)
  if (status < 400) return
  const code = answeredCode(c)
  if (code === undefined) return
  metrics.refused(code)
  if (code === 'store_unavailable') metrics.storeError('request')
}
