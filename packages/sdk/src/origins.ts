/** Which origins may see the access token, and whose answers about the session Leash believes. */
export interface OriginPolicy {
  /** The API's origin (of `baseURL`): it names the storage keys, the channel and the lock. */
  readonly origin: string
  /** Whether a request to `url` may carry the token, and its 401s and `user_enabled: false` are believed. */
  trusts(url: string): boolean
  /** `url` made absolute: against the page, or without one (Node) against `baseURL`. */
  resolve(url: string): string
}

// Without a page, a relative baseURL still needs an origin of its own; `.invalid` never resolves (RFC 2606).
const NOWHERE = 'http://leash.invalid/'

const invalid = (what: string, value: unknown, want: string) =>
  new TypeError(`Leash: ${what} ${JSON.stringify(value)} is not ${want}`)

/** `url` made absolute against `base`; undefined where it is not a URL. */
function parse(url: unknown, base?: string | URL): URL | undefined {
  try {
    return new URL(url as string, base)
  } catch {}
}

/**
 * The SDK's trust boundary: the API's origin (of `baseURL`, relative to `location`), the auth origin (of
 * `authBaseURL`) and `allowedOrigins` (each exactly `scheme://host[:port]`). Requests elsewhere go out
 * untouched. Entries of `allowedOrigins` that are not bare origins throw a `TypeError` here, at creation.
 * Without a `location` (Node), relative URLs resolve against `baseURL`. Positional: an options object's
 * property names cost the core's size budget (size.test.ts).
 * @example createOriginPolicy('/', undefined, [], location).trusts('https://evil.test/x') // false
 */
export function createOriginPolicy(
  baseURL: string,
  authBaseURL = baseURL,
  allowedOrigins: readonly string[] = [],
  location?: { href: string },
): OriginPolicy {
  const page = location?.href
  const api = parse(baseURL, page ?? NOWHERE)
  const auth = parse(authBaseURL, page ?? NOWHERE)
  if (!api) throw invalid('baseURL', baseURL, 'a URL')
  if (!auth) throw invalid('authBaseURL', authBaseURL, 'a URL')
  const trusted = new Set([api.origin, auth.origin])
  for (const entry of allowedOrigins) {
    const origin = parse(entry)?.origin
    // exact form only (so a string: nothing else equals an origin): a path, a trailing slash, a default port
    // or a `*` (a valid host character, not a wildcard) would suggest a rule other than the one applied. A
    // value that is not iterable throws the TypeError of `for…of`; a string fails at its first character.
    if (origin !== entry || entry.includes('*')) throw invalid('allowedOrigins entry', entry, 'an origin')
    trusted.add(origin)
  }
  const base = page ?? api
  return {
    origin: api.origin,
    resolve: (url) => new URL(url, base).href,
    trusts(url) {
      const origin = parse(url, base)?.origin
      return origin !== 'null' && trusted.has(origin!) // opaque origins (data:, file:) are never the API
    },
  }
}
