// The stateless peer of express-leash.js: an Express 5 app with GET /api/profile behind express-jwt
// (jsonwebtoken underneath, given the key as a KeyObject, its fast path), HS256 with issuer and audience
// checked. No store, no revocation. Same route, same response.
import express from 'express'
import { expressjwt } from 'express-jwt'
import {
  AUDIENCE,
  checkProfile,
  FIXED_KEY,
  ISSUER,
  PROFILE_PATH,
  PROFILE_TOKEN,
  PROFILE_USER,
  ready,
} from './common.js'

const app = express()
app.get(
  PROFILE_PATH,
  expressjwt({ secret: FIXED_KEY, algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE }),
  (req, res) => {
    res.json({ user: { id: req.auth.sub, username: req.auth.username, role: req.auth.role } })
  },
)
app.use((error, _req, res, _next) => {
  res.status(error.status ?? 500).json({ error: { code: 'invalid_token', message: error.message } })
})

const server = app.listen(0, '127.0.0.1', async () => {
  const url = `http://127.0.0.1:${server.address().port}`
  await checkProfile(url, PROFILE_PATH, PROFILE_TOKEN, PROFILE_USER)
  ready(
    { url, path: PROFILE_PATH, token: PROFILE_TOKEN },
    () =>
      new Promise((done) => {
        server.close(done)
        server.closeAllConnections()
      }),
  )
})
