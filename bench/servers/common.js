// What every bench server child shares: report where it listens (and the token to load it with) to the
// parent over IPC, and stop when the parent goes away.
import { createSecretKey } from 'node:crypto'
import jsonwebtoken from 'jsonwebtoken'

export const ISSUER = 'leash'
export const AUDIENCE = 'leash'
/** The baselines' fixed HS256 key, as a KeyObject (jsonwebtoken's fast path). */
export const FIXED_KEY = createSecretKey(Buffer.from('bench-fixed-hs256-key-0123456789abcdef', 'utf8'))

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
