import { leashRouter, requireSession } from '@leash/reference-server/express'
import type { EnvApp } from '@leash/reference-server/node'
import express from 'express'

export function createApi({ app: leash, log }: Pick<EnvApp, 'app' | 'log'>) {
  const app = express()

  // Sign-in, refresh, logout and the admin API at /auth/* and /admin/* (or under a prefix of your
  // choosing: app.use('/identity', leashRouter(leash)), and the refresh cookie's Path follows it).
  // Before any body parser: Leash reads, and limits, its own bodies.
  app.use(leashRouter(leash))
  app.use(express.json())

  // Your own routes. A request that gets past requireSession has a live session, and its principal
  // ({ user: { id, username, role }, sessionId, claims }) is at req.leash; any other is answered
  // 401/403/503 as the protocol says (WWW-Authenticate, user_enabled: false, Retry-After).
  app.get('/api/profile', requireSession(leash, { log }), (req, res) => {
    const { user } = req.leash!
    res.json({ user })
  })

  // Admins only (anyone else: 403 forbidden). Ends every session and token of that user.
  app.post('/api/users/:id/sign-out', requireSession(leash, { role: 'admin', log }), async (req, res) => {
    const user = await leash.admin.revoke(req.params.id)
    if (!user) res.status(404).json({ error: { code: 'user_not_found', message: 'No user has that id.' } })
    else res.json({ user })
  })

  return app
}
