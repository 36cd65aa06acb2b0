import type { IncomingMessage } from 'node:http'
import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context } from 'hono'
import { clientAddress, type TrustedProxies } from '../auth/client-address.js'

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
 * The socket's peer address under `@hono/node-server` (`X-Forwarded-For` is not read: anyone can send it;
 * see `nodeClientIpBehind` for a server behind a proxy); `'unknown'` without a socket (say `app.request()`
 * in a test), so the per-IP limit still holds, as one budget.
 */
export const nodeClientIp = (c: Context): string =>
  (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
    ? (getConnInfo(c).remote.address ?? 'unknown')
    : 'unknown'

/**
 * `nodeClientIp` behind proxies: when the socket's peer is one of `trusted`, the client is read from
 * `X-Forwarded-For` (or `Forwarded`) right to left, past the trusted hops (see `clientAddress`). A peer
 * not in `trusted` is the client whatever headers it sends.
 * @example
 * createApp({ ..., clientIp: nodeClientIpBehind(parseTrustedProxies('10.0.0.0/8,::1').ranges) })
 */
export function nodeClientIpBehind(trusted: TrustedProxies): (c: Context) => string {
  if (trusted.length === 0) return nodeClientIp
  return (c) => {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
    if (!incoming) return 'unknown'
    const header = (name: string) => {
      const value = incoming.headers[name]
      return Array.isArray(value) ? value.join(', ') : value
    }
    const peer = getConnInfo(c).remote.address
    const forwarded = { xForwardedFor: header('x-forwarded-for'), forwarded: header('forwarded') }
    return clientAddress(peer, forwarded, trusted) ?? 'unknown'
  }
}
