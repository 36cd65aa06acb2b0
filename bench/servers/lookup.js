// The "lookup per request" baseline: the stateless server plus what revocation usually costs, the session
// row read from the store (Leash's own SQLite adapter, on a file) on every request.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { createSqliteStore } from '@leash/reference-server/node'
import { Hono } from 'hono'
import { FIXED_TOKEN, ready, sameHeaders, verifyFixed } from './common.js'

const dir = mkdtempSync(join(tmpdir(), 'leash-bench-lookup-'))
const store = createSqliteStore(join(dir, 'lookup.db'))
const now = Date.now()
const user = await store.createUser({
  id: 'u1',
  username: 'bench',
  passwordHash: 'unused',
  role: 'user',
  enabled: true,
  secret: 'unused-user-secret-unused-user-secret',
  createdAt: now,
})
await store.createSession(
  {
    id: 's1',
    userId: user.id,
    createdAt: now,
    lastRefreshAt: now,
    absoluteExpiresAt: now + 43_200_000,
    transport: 'body',
    endedAt: null,
    endReason: null,
  },
  'unused-refresh-token-hash',
)

const unauthorized = (c, code) => c.json({ error: { code, message: 'The bearer token is not valid.' } }, 401)
const app = new Hono()
app.get('/auth/me', async (c) => {
  sameHeaders(c)
  const claims = verifyFixed(c)
  if (!claims) return unauthorized(c, 'invalid_token')
  const session = await store.findSession(claims.sid)
  if (!session || session.endedAt !== null || session.userId !== claims.sub)
    return unauthorized(c, 'session_revoked')
  return c.json({
    user: { id: claims.sub, username: claims.username, role: claims.role },
    session: { id: session.id },
    user_enabled: true,
  })
})

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
  ready({ url: `http://127.0.0.1:${info.port}`, path: '/auth/me', token: FIXED_TOKEN }, async () => {
    await new Promise((done) => {
      server.close(done)
      server.closeAllConnections?.()
    })
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }),
)
