const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//
/** Query parameters that carry a password (`password`, `sslpassword`, `passphrase`, …). */
const PASSWORD_PARAM = /([?&][^=&#]*pass[^=&#]*=)([^&#]*)/gi

/** Where the userinfo of a URL-like string is: after `scheme://` (or the start) up to the last `@`. */
function userinfo(url: string): { start: number; end: number } | null {
  const start = SCHEME.exec(url)?.[0].length ?? 0
  const end = url.lastIndexOf('@')
  return end >= start ? { start, end } : null
}

/**
 * A connection URL fit to print: the password in its userinfo and any password-like query parameter
 * become `***`. Works on strings that do not parse as URLs too (those are the ones an error message
 * echoes); when in doubt it hides more, never less: userinfo without a `:` is hidden whole.
 * @example redactUrl('postgres://leash:secret@db:5432/leash') // 'postgres://leash:***@db:5432/leash'
 */
export function redactUrl(url: string): string {
  const at = userinfo(url)
  let out = url
  if (at) {
    const info = url.slice(at.start, at.end)
    const colon = info.indexOf(':')
    const kept = colon >= 0 ? `${info.slice(0, colon)}:***` : '***'
    out = `${url.slice(0, at.start)}${kept}${url.slice(at.end)}`
  }
  return out.replace(PASSWORD_PARAM, '$1***')
}

/** The passwords a URL carries, as written and percent-decoded. */
function passwordsIn(url: string): string[] {
  const found: string[] = []
  const at = userinfo(url)
  if (at) {
    const info = url.slice(at.start, at.end)
    const colon = info.indexOf(':')
    found.push(colon >= 0 ? info.slice(colon + 1) : info)
  }
  for (const match of url.matchAll(PASSWORD_PARAM)) found.push(match[2]!)
  const decoded = found.map((p) => {
    try {
      return decodeURIComponent(p)
    } catch {
      return p
    }
  })
  return [...found, ...decoded]
}

/** Shorter than this, a "password" would blank out ordinary words; such a password is its own problem. */
const MIN_SCRUBBED = 4

/**
 * Replaces every password the given URLs carry, and every `plain` secret, with `***` in any text: the last line of defence for
 * messages that come from drivers or from errors, which were not written with these URLs in mind.
 * @example const scrub = createRedactor([env.LEASH_DATABASE]); log(scrub(String(error)))
 */
export function createRedactor(
  urls: Array<string | undefined>,
  /** Secrets given as they are (not inside a URL): hidden wherever they appear. */
  plain: Array<string | undefined> = [],
): (text: string) => string {
  const given = [...urls.flatMap((u) => (u ? passwordsIn(u) : [])), ...plain.filter((s) => s !== undefined)]
  const secrets = [...new Set(given)]
    .filter((s) => s.length >= MIN_SCRUBBED)
    .sort((a, b) => b.length - a.length) // a longer form first, so no part of it is left behind
  if (secrets.length === 0) return (text) => text
  return (text) => secrets.reduce((out, secret) => out.replaceAll(secret, '***'), text)
}
