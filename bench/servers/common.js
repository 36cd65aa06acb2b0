// What every bench server child shares: report where it listens (and the token to load it with) to the
// parent over IPC, and stop when the parent goes away.
import { createSecretKey } from 'node:crypto'

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
