// The stateless baseline: what an express-jwt user runs, on the same framework and adapter as Leash
// (Hono on @hono/node-server). jsonwebtoken verifies a fixed-key HS256 token; no store, no revocation.
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import jsonwebtoken from 'jsonwebtoken'
import { AUDIENCE, bearer, FIXED_KEY, ISSUER, ready, sameHeaders } from './common.js'

const options = { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE }
const app = new Hono()
app.get('/auth/me', (c) => {
  sameHeaders(c)
  const token = bearer(c.req.header('authorization'))
  let claims
  try {
    claims = token && jsonwebtoken.verify(token, FIXED_KEY, options)
  } catch {
    claims = null
  }
  if (!claims)
    return c.json({ error: { code: 'invalid_token', message: 'The bearer token is not valid.' } }, 401)
  return c.json({
    user: { id: claims.sub, username: claims.username, role: claims.role },
    session: { id: claims.sid },
    user_enabled: true,
  })
})

const token = jsonwebtoken.sign(
  { sub: 'u1', sid: 's1', username: 'bench', role: 'user', iss: ISSUER, aud: AUDIENCE },
  FIXED_KEY,
  { algorithm: 'HS256', expiresIn: 3600 },
)
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
  ready(
    { url: `http://127.0.0.1:${info.port}`, path: '/auth/me', token },
    () =>
      new Promise((done) => {
        server.close(done)
        server.closeAllConnections?.()
      }),
  ),
)
