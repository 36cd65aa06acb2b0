// What every bench server child shares: report where it listens (and the token to load it with) to the
// parent over IPC, and stop when the parent goes away.
import { createSecretKey } from 'node:crypto'
import { request } from 'node:http'
import { join } from 'node:path'
import jsonwebtoken from 'jsonwebtoken'

export const ISSUER = 'leash'
export const AUDIENCE = 'leash'
/** The baselines' fixed HS256 secret (as @fastify/jwt takes it: fast-jwt makes its key once). */
export const FIXED_SECRET = 'bench-fixed-hs256-key-0123456789abcdef'
/** The same, as a KeyObject (jsonwebtoken's fast path: given a string, it re-parses the key every call). */
export const FIXED_KEY = createSecretKey(Buffer.from(FIXED_SECRET, 'utf8'))

/** The bearer token between `Bearer ` and the end, or null. */
export function bearer(header) {
  if (!header?.startsWith('Bearer ')) return null
  return header.slice(7).trim() || null
}

export function ready(info, close) {
  const stop = async () => {
    await close()
    process.exit(0)
  }
  process.on('disconnect', stop)
  process.on('SIGTERM', stop)
  // The parent asks for this process's CPU time around each load run: CPU µs per request is the figure a
  // busy machine disturbs least (req/s also counts the time other processes held the core).
  process.on('message', (message) => {
    if (message === 'cpu') process.send({ cpu: process.cpuUsage() })
  })
  process.send(info)
}

/**
 * The response headers Leash sends on /auth/*: the baselines send them too, so the comparison isolates the
 * per-request check rather than header handling.
 */
export function sameHeaders(c) {
  c.header('X-Content-Type-Options', 'nosniff')
  c.header('Cache-Control', 'no-store')
}

const VERIFY = { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE }

/** What an express-jwt user runs per request: the bearer token verified with jsonwebtoken; null if it fails. */
export function verifyFixed(c) {
  const token = bearer(c.req.header('authorization'))
  try {
    return token ? jsonwebtoken.verify(token, FIXED_KEY, VERIFY) : null
  } catch {
    return null
  }
}

/** The baselines' token: user u1, session s1, an hour long. */
export const FIXED_TOKEN = jsonwebtoken.sign(
  { sub: 'u1', sid: 's1', username: 'bench', role: 'user', iss: ISSUER, aud: AUDIENCE },
  FIXED_KEY,
  { algorithm: 'HS256', expiresIn: 3600 },
)

/** The route the framework servers answer, each with `{ user: { id, username, role } }`. */
export const PROFILE_PATH = '/api/profile'

/** The environment every Leash bench server reads (`startServer`, `appFromEnv`): SQLite on a file in `dir`. */
export const leashEnv = (dir) => ({
  LEASH_PORT: '0',
  LEASH_HOST: '127.0.0.1',
  LEASH_DATABASE: `sqlite:${join(dir, 'leash.db')}`,
  LEASH_GLOBAL_SECRET: 'bench-global-secret-at-least-32-bytes-long',
  LEASH_SEED_USERS: 'bench:bench-password-1',
  LEASH_ACCESS_TTL: '3600',
  LEASH_LOGIN_RATE: '1000',
})

// node:http, not fetch: the server process then runs only server code, as a deployed one does (undici's
// client shares its Headers code with the server's request handling).
export function call(base, method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      let text = ''
      res.on('data', (chunk) => {
        text += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode, text }))
    })
    req.once('error', reject)
    req.end(body)
  })
}

/**
 * Signs the seeded user in at `${base}${loginPath}` and calls `path` once with the token (so the cache is
 * warm before any load); returns the access token.
 */
export async function signIn(base, loginPath, path) {
  const login = await call(
    base,
    'POST',
    loginPath,
    { 'content-type': 'application/json' },
    JSON.stringify({ username: 'bench', password: 'bench-password-1', refresh_transport: 'body' }),
  )
  if (login.status !== 200) throw new Error(`login: ${login.status} ${login.text}`)
  const token = JSON.parse(login.text).access_token
  const warm = await call(base, 'GET', path, { authorization: `Bearer ${token}` })
  if (warm.status !== 200) throw new Error(`${path}: ${warm.status} ${warm.text}`)
  return token
}

/** Fails the server at start unless `path` answers the token with exactly the profile every server sends. */
export async function checkProfile(base, path, token, expected) {
  const res = await call(base, 'GET', path, { authorization: `Bearer ${token}` })
  if (res.status !== 200 || res.text !== JSON.stringify({ user: expected }))
    throw new Error(`${path}: ${res.status} ${res.text}, expected ${JSON.stringify({ user: expected })}`)
}

/**
 * The stateless peers' token for the profile route: a user id as long as Leash's (a UUID), so that every
 * server sends a body of the same length.
 */
export const PROFILE_USER = { id: '00000000-0000-4000-8000-000000000001', username: 'bench', role: 'user' }
export const PROFILE_TOKEN = jsonwebtoken.sign(
  { sub: PROFILE_USER.id, sid: 's1', username: 'bench', role: 'user', iss: ISSUER, aud: AUDIENCE },
  FIXED_KEY,
  { algorithm: 'HS256', expiresIn: 3600 },
)
