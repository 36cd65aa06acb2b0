import { MAX_LISTED_SESSIONS } from '@leash/protocol'

/** Everything `createApp` needs to know that is not an adapter. Durations are seconds. */
export interface ServerConfig {
  /** `iss` of every access token. */
  issuer: string
  /** `aud` of every access token. */
  audience: string
  /** Access-token lifetime (s). */
  accessTtl: number
  /** A session ends this long after its last refresh (s). */
  idleTimeout: number
  /** A session ends this long after login, whatever happens (s). */
  absoluteTimeout: number
  /** The token a refresh replaced may be retried once within this window (s), while its replacement is unused. */
  reuseInterval: number
  /** Tolerance for an `iat` in the future (s). */
  iatLeeway: number
  /** Login attempts per username+IP (password changes: per user) per minute before 429; a success resets. */
  loginRate: number
  /** Login and register attempts per client IP (IPv6: per /64) per minute before 429; every attempt counts. */
  ipRate: number
  /**
   * Wrong passwords per username per minute, summed over every address, before 429 for addresses the
   * account has not signed in from (those it has are never refused by it).
   */
  accountRate: number
  /**
   * Live sessions a user may hold (at most `MAX_LISTED_SESSIONS`, so the user's list shows every one); a
   * sign-in beyond it ends the least recently used.
   */
  maxSessions: number
  /** Password hashes that may run at once (each scrypt hash takes a core and 128 MiB). */
  hashConcurrency: number
  /** Password hashes that may wait for a slot; beyond that, 503 `server_busy`. */
  hashQueue: number
  allowRegistration: boolean
  /**
   * Mark the refresh cookie `Secure`: always (`true`), never (`false`), or `'auto'`: when the request came
   * over https (the request URL's scheme), so a development server on plain http still gets its cookie.
   */
  secureCookies: boolean | 'auto'
  /**
   * Name the refresh cookie `__Host-leash_refresh` with `Path=/`: a sibling subdomain cannot set or shadow
   * it (cookie tossing), at the price of sending it with every request to this host. Needs
   * `secureCookies: true`, since browsers drop a `__Host-` cookie without `Secure`.
   */
  cookieHostPrefix: boolean
  /** Origins allowed by CORS, with credentials, and by the same-origin check of refresh and logout. */
  corsOrigins: string[]
  /**
   * The origin browsers reach this server at (`https://app.example.com`), when it is not the request URL's:
   * behind a TLS-terminating proxy the server sees `http://…`. Replaces the request URL's origin in the
   * same-origin check. Null: the request URL's origin.
   */
  publicOrigin: string | null
  /**
   * Step-up: the most seconds since the user signed in or confirmed their password
   * (`POST /auth/reauthenticate`) that a password change, signing out another device and every admin
   * change accept; older gets 401 `reauthentication_required`. No value turns it off: a value at least the
   * absolute timeout never refuses, since no session lives that long.
   */
  reauthMaxAge: number
  /** Days an audit event is kept; older ones are deleted with the ended sessions (`Store.prune`). */
  auditRetention: number
  /**
   * Refuse sign-in (403 `email_not_verified`, only once the password is right) to an account whose email
   * is not verified, and make `email` required at registration.
   */
  requireVerifiedEmail: boolean
  /**
   * Account mail per hour: reset links asked for one address (counted whether or not it names an account),
   * verification links a user asks for again, and reset attempts on one account.
   */
  recoveryRate: number
  /** The path of the app's page that a verification link opens (`publicOrigin` + it + `?token=…`). */
  verifyEmailPath: string
  /** The path of the app's page that a password-reset link opens. */
  resetPasswordPath: string
}

/** The protocol's defaults. */
export const defaultConfig: ServerConfig = {
  issuer: 'leash',
  audience: 'leash',
  accessTtl: 300,
  idleTimeout: 1800,
  absoluteTimeout: 43200,
  reuseInterval: 10,
  iatLeeway: 30,
  loginRate: 10,
  ipRate: 60,
  // Twice the per-address login rate: the owner's new devices rarely meet it, while any number of
  // addresses together get 20 guesses a minute at one account (the known addresses are exempt).
  accountRate: 20,
  maxSessions: MAX_LISTED_SESSIONS,
  // Portable: nothing here knows the cores; main.ts raises it to what the machine has, less one.
  hashConcurrency: 1,
  hashQueue: 32,
  allowRegistration: true,
  secureCookies: true,
  cookieHostPrefix: false,
  corsOrigins: [],
  auditRetention: 90,
  publicOrigin: null,
  requireVerifiedEmail: false,
  recoveryRate: 5,
  verifyEmailPath: '/verify-email',
  resetPasswordPath: '/reset-password',
  reauthMaxAge: 600,
}

/** Thrown for a bad environment value; the program (`bin.ts`) prints it and exits 1. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

type Env = Record<string, string | undefined>

/** A whole number of seconds from 1 to `max` (the variable's `fallback` when unset), else a ConfigError. */
export function seconds(env: Env, name: string, fallback: number, max = 10 * 365 * 86400): number {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  if (!/^\d+$/.test(raw.trim()))
    throw new ConfigError(`${name} must be a whole number of seconds, got "${raw}"`)
  const n = Number(raw)
  if (n < 1 || n > max) throw new ConfigError(`${name} must be between 1 and ${max}, got ${n}`)
  return n
}

function count(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`)
  const n = Number(raw)
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`)
  return n
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase()
  if (raw === undefined || raw === '') return fallback
  if (raw === 'true' || raw === '1' || raw === 'yes') return true
  if (raw === 'false' || raw === '0' || raw === 'no') return false
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`)
}

/** `https://host[:port]`, as browsers serialize an origin in the `Origin` header; null when it is not one. */
export function normalOrigin(value: string): string | null {
  if (!/^https?:\/\/[^/\s?#@]+$/i.test(value)) return null
  try {
    return new URL(value).origin
  } catch {
    return null
  }
}

function origins(env: Env, name: string): string[] {
  const listed = (env[name] ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)
  for (const origin of listed) {
    if (normalOrigin(origin) === null) {
      throw new ConfigError(`${name} holds "${origin}", which is not an origin like https://app.example.com`)
    }
  }
  return listed
}

/** A path on the app's origin: `/` and then no `?`, `#`, `\\`, whitespace, or a second `/` at the start. */
const isPagePath = (path: string) => /^\/(?![/\\])[^?#\s\\]*$/.test(path)

function pagePath(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim()
  if (raw === undefined || raw === '') return fallback
  if (!isPagePath(raw)) throw new ConfigError(`${name} must be a path like ${fallback}, got "${env[name]}"`)
  return raw
}

/** Checks the relations between durations that the token schedule depends on, and the cookie settings. */
export function validateConfig(config: ServerConfig): ServerConfig {
  const positive = [
    'accessTtl',
    'idleTimeout',
    'absoluteTimeout',
    'loginRate',
    'ipRate',
    'accountRate',
    'maxSessions',
    'hashConcurrency',
    'auditRetention',
    'recoveryRate',
    'reauthMaxAge',
  ] as const
  for (const key of positive) {
    if (!Number.isInteger(config[key]) || config[key] < 1)
      throw new ConfigError(`${key} must be a positive whole number`)
  }
  for (const key of ['reuseInterval', 'hashQueue'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 0)
      throw new ConfigError(`${key} must be a whole number ≥ 0`)
  }
  if (config.maxSessions > MAX_LISTED_SESSIONS) {
    throw new ConfigError(
      `maxSessions (${config.maxSessions}) cannot exceed the ${MAX_LISTED_SESSIONS} sessions a user's list shows`,
    )
  }
  if (config.idleTimeout > config.absoluteTimeout) {
    throw new ConfigError(
      `the idle timeout (${config.idleTimeout} s) cannot be longer than the absolute timeout (${config.absoluteTimeout} s)`,
    )
  }
  if (config.cookieHostPrefix && config.secureCookies !== true) {
    throw new ConfigError(
      'cookieHostPrefix needs secureCookies: true (a __Host- cookie must always be Secure)',
    )
  }
  for (const key of ['verifyEmailPath', 'resetPasswordPath'] as const) {
    if (!isPagePath(config[key]))
      throw new ConfigError(`${key} must be a path like /reset-password, got "${config[key]}"`)
  }
  for (const origin of [
    ...config.corsOrigins,
    ...(config.publicOrigin === null ? [] : [config.publicOrigin]),
  ]) {
    if (normalOrigin(origin) === null)
      throw new ConfigError(`"${origin}" is not an origin like https://app.example.com`)
  }
  return config
}

/** LEASH_COOKIE_SECURE: true, false or auto (the default). */
function cookieSecure(env: Env, production: boolean, publicOrigin: string | null): boolean | 'auto' {
  const raw = env.LEASH_COOKIE_SECURE?.trim().toLowerCase()
  if (raw === undefined || raw === '' || raw === 'auto') {
    // Production, or a public origin on https (a TLS-terminating proxy): always. Else by the request's scheme.
    return production || publicOrigin?.startsWith('https:') ? true : 'auto'
  }
  if (raw === 'true') return true
  if (raw === 'false') return false
  throw new ConfigError(`LEASH_COOKIE_SECURE must be true, false or auto, got "${env.LEASH_COOKIE_SECURE}"`)
}

/**
 * The server settings read from the environment of the protocol (`LEASH_*`); what is not set comes from
 * `defaults` (the caller knows the machine: `main.ts` passes a hash concurrency sized to its cores).
 */
export function configFromEnv(env: Env, defaults: ServerConfig = defaultConfig): ServerConfig {
  const production = env.NODE_ENV === 'production'
  const publicOrigins = origins(env, 'LEASH_PUBLIC_ORIGIN')
  if (publicOrigins.length > 1) throw new ConfigError('LEASH_PUBLIC_ORIGIN takes one origin')
  const publicOrigin = publicOrigins[0] ?? null
  const secureCookies = cookieSecure(env, production, publicOrigin)
  const cookieHostPrefix = bool(env, 'LEASH_COOKIE_HOST_PREFIX', false)
  if (cookieHostPrefix && secureCookies !== true) {
    throw new ConfigError(
      'LEASH_COOKIE_HOST_PREFIX=true needs a cookie that is always Secure: set LEASH_COOKIE_SECURE=true (auto is always on only with NODE_ENV=production or an https LEASH_PUBLIC_ORIGIN)',
    )
  }
  return validateConfig({
    ...defaults,
    accessTtl: seconds(env, 'LEASH_ACCESS_TTL', defaults.accessTtl),
    idleTimeout: seconds(env, 'LEASH_IDLE_TIMEOUT', defaults.idleTimeout),
    absoluteTimeout: seconds(env, 'LEASH_ABSOLUTE_TIMEOUT', defaults.absoluteTimeout),
    reuseInterval:
      env.LEASH_REUSE_INTERVAL?.trim() === '0'
        ? 0
        : seconds(env, 'LEASH_REUSE_INTERVAL', defaults.reuseInterval),
    loginRate: count(env, 'LEASH_LOGIN_RATE', defaults.loginRate, 1, 1_000_000),
    ipRate: count(env, 'LEASH_IP_RATE', defaults.ipRate, 1, 1_000_000),
    accountRate: count(env, 'LEASH_ACCOUNT_RATE', defaults.accountRate, 1, 1_000_000),
    // Never more than the list shows: a session beyond it would be live and hidden from its user.
    maxSessions: count(env, 'LEASH_MAX_SESSIONS', defaults.maxSessions, 1, MAX_LISTED_SESSIONS),
    hashConcurrency: count(env, 'LEASH_HASH_CONCURRENCY', defaults.hashConcurrency, 1, 1024),
    hashQueue: count(env, 'LEASH_HASH_QUEUE', defaults.hashQueue, 0, 100_000),
    allowRegistration: bool(env, 'LEASH_ALLOW_REGISTRATION', defaults.allowRegistration),
    secureCookies,
    cookieHostPrefix,
    corsOrigins: origins(env, 'LEASH_CORS_ORIGINS'),
    publicOrigin,
    auditRetention: count(env, 'LEASH_AUDIT_RETENTION', defaults.auditRetention, 1, 36_500),
    requireVerifiedEmail: bool(env, 'LEASH_REQUIRE_VERIFIED_EMAIL', defaults.requireVerifiedEmail),
    recoveryRate: count(env, 'LEASH_RECOVERY_RATE', defaults.recoveryRate, 1, 1_000_000),
    verifyEmailPath: pagePath(env, 'LEASH_VERIFY_EMAIL_PATH', defaults.verifyEmailPath),
    resetPasswordPath: pagePath(env, 'LEASH_RESET_PASSWORD_PATH', defaults.resetPasswordPath),
    reauthMaxAge: seconds(env, 'LEASH_REAUTH_MAX_AGE', defaults.reauthMaxAge),
  })
}
