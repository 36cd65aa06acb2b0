import { leashPlugin } from '@leash/reference-server/fastify'
import type { EnvVerifier } from '@leash/reference-server/node'
import Fastify from 'fastify'

export async function createService({ verifier, log }: Pick<EnvVerifier, 'verifier' | 'log'>) {
  const app = Fastify()

  // This service issues no tokens: it checks the Leash server's, on the same PostgreSQL, Redis and global
  // secret (verifierFromEnv). A session the server ends is refused here at the very next request.
  await app.register(leashPlugin, { leash: verifier, log })

  app.get('/api/profile', { preHandler: app.leash.requireSession() }, async (request) => {
    const { user } = request.leash!
    return { user, service: 'fastify-service' }
  })

  // Admins only (anyone else: 403 forbidden).
  app.get('/api/reports', { preHandler: app.leash.requireSession({ role: 'admin' }) }, async () => ({
    reports: [],
  }))

  return app
}
