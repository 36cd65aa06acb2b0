/** Which origins may see the access token, and whose answers about the session Leash believes. */
export interface OriginPolicy {
  /** The API's origin (of `baseURL`): it names the storage keys, the channel and the lock. */
  readonly origin: string
  /** Whether a request to `url` may carry the token, and its 401s and `user_enabled: false` are believed. */
  trusts(url: string): boolean
  /** `url` made absolute: against the page, or without one (Node) against `baseURL`. */
  resolve(url: string): string
}

export interface OriginPolicyOptions {
  /** Where the app's API lives; relative to `location`. */
  baseURL: string
  /** Where `/auth/*` lives (default `baseURL`). */
  authBaseURL?: string
  /** Further origins, each exactly `scheme://host[:port]`. */
  allowedOrigins?: readonly string[]
  /** The page; without one (Node) relative URLs resolve against `baseURL`. */
  location?: { href: string } | undefined
}

// Without a page, a relative baseURL still needs an origin of its own; `.invalid` never resolves (RFC 2606).
const NOWHERE = 'http://leash.invalid/'

const invalid = (what: string, value: unknown, want: string) =>
  new TypeError(`Leash: ${what} ${JSON.stringify(value)} is not ${want}`)

function parse(url: string, base: string | URL, what: string): URL {
  try {
    return new URL(url, base)
  } catch {
    throw invalid(what, url, 'a URL')
  }
}

/**
 * The SDK's trust boundary: the API's origin, the auth origin and `allowedOrigins`. Requests elsewhere go out
 * untouched. Entries of `allowedOrigins` that are not bare origins throw a `TypeError` here, at creation.
 * @example createOriginPolicy({ baseURL: '/', location }).trusts('https://evil.test/x') // false
 */
export function createOriginPolicy(options: OriginPolicyOptions): OriginPolicy {
  const { baseURL, authBaseURL = baseURL, allowedOrigins = [], location } = options
  const page = location?.href ?? NOWHERE
  const api = parse(baseURL, page, 'baseURL')
  const trusted = new Set([api.origin, parse(authBaseURL, page, 'authBaseURL').origin])
  if (!Array.isArray(allowedOrigins)) throw invalid('allowedOrigins', allowedOrigins, 'an array')
  for (const entry of allowedOrigins) {
    let origin: string | undefined
    try {
      origin = new URL(entry).origin
    } catch {}
    // exact form only: a path, a trailing slash, a default port or a `*` (a valid host character, not a
    // wildcard) would suggest a rule other than the one applied
    if (typeof entry !== 'string' || origin !== entry || entry.includes('*'))
      throw invalid('allowedOrigins entry', entry, 'an origin')
    trusted.add(origin)
  }
  const resolve = (url: string) => new URL(url, location?.href ?? api).href
  return {
    origin: api.origin,
    resolve,
    trusts(url) {
      try {
        const { origin } = new URL(resolve(url))
        return origin !== 'null' && trusted.has(origin) // opaque origins (data:, file:) are never the API
      } catch {
        return false
      }
    },
  }
}
