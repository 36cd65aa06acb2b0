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
  /** Failed logins per username+IP per minute before 429. */
  loginRate: number
  allowRegistration: boolean
  /** Mark the refresh cookie `Secure` (off only in development over plain http). */
  secureCookies: boolean
  /** Origins allowed by CORS, with credentials; empty: same origin only. */
  corsOrigins: string[]
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
  allowRegistration: true,
  secureCookies: true,
  corsOrigins: [],
}

/** Thrown for a bad environment value; `main.ts` prints it and exits 1. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

type Env = Record<string, string | undefined>

function positiveInt(env: Env, name: string, fallback: number, max = 10 * 365 * 86400): number {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  if (!/^\d+$/.test(raw.trim()))
    throw new ConfigError(`${name} must be a whole number of seconds, got "${raw}"`)
  const n = Number(raw)
  if (n < 1 || n > max) throw new ConfigError(`${name} must be between 1 and ${max}, got ${n}`)
  return n
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase()
  if (raw === undefined || raw === '') return fallback
  if (raw === 'true' || raw === '1' || raw === 'yes') return true
  if (raw === 'false' || raw === '0' || raw === 'no') return false
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`)
}

/** Checks the relations between durations that the token schedule depends on. */
export function validateConfig(config: ServerConfig): ServerConfig {
  for (const key of ['accessTtl', 'idleTimeout', 'absoluteTimeout', 'loginRate'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 1)
      throw new ConfigError(`${key} must be a positive whole number`)
  }
  if (!Number.isInteger(config.reuseInterval) || config.reuseInterval < 0) {
    throw new ConfigError('reuseInterval must be a whole number ≥ 0')
  }
  if (config.idleTimeout > config.absoluteTimeout) {
    throw new ConfigError(
      `the idle timeout (${config.idleTimeout} s) cannot be longer than the absolute timeout (${config.absoluteTimeout} s)`,
    )
  }
  return config
}

/** The server settings read from the environment of the protocol (`LEASH_*`). */
export function configFromEnv(env: Env): ServerConfig {
  const production = env.NODE_ENV === 'production'
  const origins = (env.LEASH_CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(
        `LEASH_CORS_ORIGINS holds "${origin}", which is not an origin like https://app.example.com`,
      )
    }
  }
  return validateConfig({
    ...defaultConfig,
    accessTtl: positiveInt(env, 'LEASH_ACCESS_TTL', defaultConfig.accessTtl),
    idleTimeout: positiveInt(env, 'LEASH_IDLE_TIMEOUT', defaultConfig.idleTimeout),
    absoluteTimeout: positiveInt(env, 'LEASH_ABSOLUTE_TIMEOUT', defaultConfig.absoluteTimeout),
    reuseInterval:
      env.LEASH_REUSE_INTERVAL?.trim() === '0'
        ? 0
        : positiveInt(env, 'LEASH_REUSE_INTERVAL', defaultConfig.reuseInterval),
    loginRate: positiveInt(env, 'LEASH_LOGIN_RATE', defaultConfig.loginRate, 1_000_000),
    allowRegistration: bool(env, 'LEASH_ALLOW_REGISTRATION', true),
    secureCookies: production,
    corsOrigins: origins,
  })
}
