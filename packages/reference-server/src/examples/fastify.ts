import { type AppOptions, createApp } from '@leash/reference-server'
import { leashPlugin, leashRoutes } from '@leash/reference-server/fastify'
import Fastify from 'fastify'

export async function createApi(options: AppOptions) {
  const leash = createApp(options)
  const app = Fastify()

  // Sign-in, refresh, logout and the admin API, under the prefix you register them with:
  // POST /identity/auth/login, GET /identity/admin/users, … (the refresh cookie's Path follows it).
  await app.register(leashRoutes, { leash, prefix: '/identity' })

  // app.leash.requireSession() for your own routes. A request that gets past it has a live session, and
  // its principal ({ user: { id, username, role }, sessionId, claims }) is at request.leash; any other is
  // answered 401/403 with the protocol's error body, WWW-Authenticate and user_enabled: false.
  await app.register(leashPlugin, { leash })

  app.get('/api/profile', { preHandler: app.leash.requireSession() }, async (request) => {
    const { user } = request.leash!
    return { user, user_enabled: true }
  })

  // Admins only (anyone else: 403 forbidden). Ends every session and token of that user.
  app.post<{ Params: { id: string } }>(
    '/api/users/:id/sign-out',
    { preHandler: app.leash.requireSession({ role: 'admin' }) },
    async (request, reply) => {
      const user = await leash.admin.revoke(request.params.id)
      if (!user)
        return reply.code(404).send({ error: { code: 'user_not_found', message: 'No user has that id.' } })
      return { user, user_enabled: true }
    },
  )

  return app
}
