// The stateless baseline: what an express-jwt user runs, on the same framework and adapter as Leash
// (Hono on @hono/node-server). jsonwebtoken verifies a fixed-key HS256 token; no store, no revocation.
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { FIXED_TOKEN, ready, sameHeaders, verifyFixed } from './common.js'

const app = new Hono()
app.get('/auth/me', (c) => {
  sameHeaders(c)
  const claims = verifyFixed(c)
  if (!claims)
    return c.json({ error: { code: 'invalid_token', message: 'The bearer token is not valid.' } }, 401)
  return c.json({
    user: { id: claims.sub, username: claims.username, role: claims.role },
    session: { id: claims.sid },
    user_enabled: true,
  })
})

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
  ready(
    { url: `http://127.0.0.1:${info.port}`, path: '/auth/me', token: FIXED_TOKEN },
    () =>
      new Promise((done) => {
        server.close(done)
        server.closeAllConnections?.()
      }),
  ),
)
