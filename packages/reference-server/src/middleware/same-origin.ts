import { createMiddleware } from 'hono/factory'
import { normalOrigin, type ServerConfig } from '../config.js'
import type { AppEnv } from '../context.js'
import { apiError } from '../errors.js'

/** What a request says about where it came from: its `Origin` and `Sec-Fetch-Site` headers. */
export interface RequestProvenance {
  origin: string | undefined
  fetchSite: string | undefined
}

/**
 * Whether a browser sent this request from a page the server trusts. `Origin`, when present, must be one of
 * `trusted` exactly as a browser serializes it; `null` (sandboxed frames, `data:` and `file:` pages, forms
 * under `Referrer-Policy: no-referrer`, cross-origin redirects) is never trusted. Without `Origin`,
 * `Sec-Fetch-Site` must be `same-origin` or `none`: `same-site` is a sibling subdomain, another origin that
 * `SameSite=Strict` would still send the cookie to. With neither, the client is not a browser (browsers send
 * `Origin` on every cross-origin request and on every POST from fetch or XHR): it carries no victim's cookie,
 * so it can forge nothing a CSRF could.
 */
export function fromTrustedOrigin(request: RequestProvenance, trusted: ReadonlySet<string>): boolean {
  if (request.origin !== undefined) return request.origin !== 'null' && trusted.has(request.origin)
  if (request.fetchSite !== undefined)
    return request.fetchSite === 'same-origin' || request.fetchSite === 'none'
  return true
}

/**
 * Refuses a cross-site request with 403 `origin_not_allowed`. The server's own origin is `publicOrigin`
 * when set (behind a TLS-terminating proxy the request URL says `http://`), else the request URL's; the
 * origins of `corsOrigins` are trusted too. Forwarded headers (`X-Forwarded-Proto`, `-Host`) are never read:
 * whoever reaches the server directly could set them.
 */
export const requireSameOrigin = (config: Pick<ServerConfig, 'corsOrigins' | 'publicOrigin'>) => {
  const listed = config.corsOrigins.map(normalOrigin).filter((o): o is string => o !== null)
  const own = config.publicOrigin === null ? null : normalOrigin(config.publicOrigin)
  return createMiddleware<AppEnv>(async (c, next) => {
    const trusted = new Set([...listed, own ?? new URL(c.req.url).origin])
    const request = { origin: c.req.header('origin'), fetchSite: c.req.header('sec-fetch-site') }
    if (!fromTrustedOrigin(request, trusted)) throw apiError('origin_not_allowed')
    await next()
  })
}
