import type { IncomingMessage } from 'node:http'
import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context } from 'hono'

/**
 * The Authorization header read straight off Node's request under `@hono/node-server`: asking the WHATWG
 * request instead makes it copy every header into a `Headers` object, per request. Anywhere else (say
 * `app.request()` in a test) it asks the request.
 */
export function nodeAuthorization(c: Context): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
  return incoming ? incoming.headers.authorization : c.req.header('authorization')
}

/**
 * The Cookie header off Node's request: several Cookie lines (HTTP/2 may split cookies over several) are
 * joined by `; `, so each cookie stays whole (a Fetch `Headers` joins them by `, `). Elsewhere it asks the
 * request.
 */
export function nodeCookie(c: Context): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
  return incoming ? incoming.headers.cookie : c.req.header('cookie')
}

/**
 * The socket's peer address under `@hono/node-server` (`X-Forwarded-For` is never read: anyone can send it);
 * `'unknown'` without a socket (say `app.request()` in a test), so the per-IP limit still holds, as one budget.
 */
export const nodeClientIp = (c: Context): string =>
  (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
    ? (getConnInfo(c).remote.address ?? 'unknown')
    : 'unknown'
