import { type AppOptions, createApp, type LeashEnv } from '@leash/reference-server'
import { Hono } from 'hono'

export function createApi(options: AppOptions) {
  const leash = createApp(options)
  const app = new Hono<LeashEnv>()

  // Sign-in, refresh, logout and the admin API, under a prefix of your choosing:
  // POST /identity/auth/login, GET /identity/admin/users, … (the refresh cookie's Path follows it).
  app.route('/identity', leash.endpoints)

  // Your own routes. A request that gets past requireSession has a live session, and its principal
  // ({ user: { id, username, role }, sessionId, claims }) is at c.get('leash'); any other is answered
  // 401/403 with the protocol's error body, WWW-Authenticate and user_enabled: false.
  app.get('/api/profile', leash.requireSession(), (c) => {
    const { user } = c.get('leash')
    return c.json({ user, user_enabled: true })
  })

  // Admins only (anyone else: 403 forbidden). Ends every session and token of that user.
  app.post('/api/users/:id/sign-out', leash.requireSession({ role: 'admin' }), async (c) => {
    const user = await leash.admin.revoke(c.req.param('id'))
    if (!user) return c.json({ error: { code: 'user_not_found', message: 'No user has that id.' } }, 404)
    return c.json({ user, user_enabled: true })
  })

  return app
}
