// Leash's Express middleware where users run it: an Express 5 app with Leash's routes mounted
// (`leashRouter`) and GET /api/profile behind `requireSession`, over the Leash wiring of `appFromEnv`
// (SQLite on a file, node:crypto codec), warm cache. Its peer is express-jwt.js: same route, same response.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { leashRouter, requireSession } from '@leash/reference-server/express'
import { appFromEnv } from '@leash/reference-server/node'
import express from 'express'
import { checkProfile, leashEnv, PROFILE_PATH, ready, signIn } from './common.js'

const dir = mkdtempSync(join(tmpdir(), 'leash-bench-express-'))
const leash = await appFromEnv(leashEnv(dir), { quiet: true })
const app = express()
app.use(leashRouter(leash.app))
app.get(PROFILE_PATH, requireSession(leash.app), (req, res) => {
  res.json({ user: req.leash.user })
})

const server = app.listen(0, '127.0.0.1', async () => {
  const url = `http://127.0.0.1:${server.address().port}`
  const token = await signIn(url, '/auth/login', PROFILE_PATH)
  const verdict = await leash.app.verify(`Bearer ${token}`)
  await checkProfile(url, PROFILE_PATH, token, verdict.principal.user)
  ready({ url, path: PROFILE_PATH, token }, async () => {
    await new Promise((done) => {
      server.close(done)
      server.closeAllConnections()
    })
    await leash.close()
    rmSync(dir, { recursive: true, force: true })
  })
})
