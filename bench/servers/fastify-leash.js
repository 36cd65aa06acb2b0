// Leash's Fastify plugin where users run it: a Fastify 5 app with Leash's routes registered (`leashRoutes`)
// and GET /api/profile behind `app.leash.requireSession()` (a preHandler), over the Leash wiring of
// `appFromEnv` (SQLite on a file, node:crypto codec), warm cache. Its peer is fastify-jwt.js.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { leashPlugin, leashRoutes } from '@leash/reference-server/fastify'
import { appFromEnv } from '@leash/reference-server/node'
import Fastify from 'fastify'
import { checkProfile, leashEnv, PROFILE_PATH, ready, signIn } from './common.js'

const dir = mkdtempSync(join(tmpdir(), 'leash-bench-fastify-'))
const leash = await appFromEnv(leashEnv(dir), { quiet: true })
const app = Fastify()
await app.register(leashRoutes, { leash: leash.app })
await app.register(leashPlugin, { leash: leash.app })
app.get(PROFILE_PATH, { preHandler: app.leash.requireSession() }, async (request) => ({
  user: request.leash.user,
}))

const url = await app.listen({ port: 0, host: '127.0.0.1' })
const token = await signIn(url, '/auth/login', PROFILE_PATH)
const verdict = await leash.app.verify(`Bearer ${token}`)
await checkProfile(url, PROFILE_PATH, token, verdict.principal.user)
ready({ url, path: PROFILE_PATH, token }, async () => {
  await app.close()
  await leash.close()
  rmSync(dir, { recursive: true, force: true })
})
