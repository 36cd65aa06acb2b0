import type { IncomingMessage, ServerResponse } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import { Hono } from 'hono'
import { getPath } from 'hono/utils/url'
import { apiError } from '../errors.js'
import { sendError } from '../send-error.js'

/** Whether a path (relative to where Leash is mounted) is one of Leash's: everything under /auth/ and /admin/. */
export const isLeashPath = (path: string) => path.startsWith('/auth/') || path.startsWith('/admin/')

/**
 * Serves one request of a Node framework (Express, Fastify) with Leash's Hono routes, exactly as
 * `@hono/node-server` serves the standalone server: `incoming` must carry the full URL the client sent (so
 * the refresh cookie's `Path` follows the mount), `relativePath` is that URL's path below the mount point,
 * as sent (`/auth/login`). The body is streamed from `incoming` through the routes' body limit; the env is
 * `{ incoming, outgoing }`, so `nodeAuthorization` and `nodeClientIp` read the header and the socket's
 * address as they do under the Node server; every `Set-Cookie` goes out as its own header line.
 */
export type Bridge = (
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  relativePath: string,
) => Promise<void>

export function createBridge(routes: Hono): Bridge {
  // The path each request is routed by, beside its full URL: Hono routes by `getPath`, the cookie's Path is
  // built from `c.req.url`. Keyed by the request, so nothing outlives it.
  const paths = new WeakMap<object, string>()
  const host = new Hono({
    // Hono's own reading of a path (percent-decoding included), applied to the part below the mount.
    getPath: (_request, options) => {
      const incoming = (options?.env as { incoming?: IncomingMessage } | undefined)?.incoming
      const path = incoming && paths.get(incoming)
      return getPath({ url: `http://leash${path ?? '/'}` } as Request)
    },
  })
  host.route('/', routes)
  host.notFound((c) => sendError(c, apiError('not_found')))
  // The framework owns the process: leave its global Request and Response alone.
  const listener = getRequestListener(host.fetch, { overrideGlobalObjects: false })
  return (incoming, outgoing, relativePath) => {
    paths.set(incoming, relativePath)
    return listener(incoming, outgoing)
  }
}
