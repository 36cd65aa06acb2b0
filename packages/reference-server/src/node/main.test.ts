import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { ConfigError, configFromEnv, defaultConfig } from '../config.js'
import { StoreUnavailableError } from '../errors.js'
import { parseSeedUsers } from '../seed.js'
import { freePort } from '../test/cluster.js'
import { type RunningServer, startServer, startupFailure } from './main.js'

const dir = mkdtempSync(join(tmpdir(), 'leash-main-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('environment', () => {
  it.each([
    [{ LEASH_ACCESS_TTL: 'abc' }, /LEASH_ACCESS_TTL/],
    [{ LEASH_ACCESS_TTL: '-5' }, /LEASH_ACCESS_TTL/],
    [{ LEASH_IDLE_TIMEOUT: '1.5' }, /LEASH_IDLE_TIMEOUT/],
    [{ LEASH_IDLE_TIMEOUT: '90000' }, /idle timeout/],
    [{ LEASH_REUSE_INTERVAL: 'soon' }, /LEASH_REUSE_INTERVAL/],
    [{ LEASH_LOGIN_RATE: '0' }, /LEASH_LOGIN_RATE/],
    [{ LEASH_IP_RATE: '0' }, /LEASH_IP_RATE must be between 1 and/],
    [{ LEASH_IP_RATE: 'lots' }, /LEASH_IP_RATE must be a whole number/],
    [{ LEASH_ACCOUNT_RATE: '0' }, /LEASH_ACCOUNT_RATE must be between 1 and/],
    [{ LEASH_ACCOUNT_RATE: '2.5' }, /LEASH_ACCOUNT_RATE must be a whole number/],
    // More than the list of sessions shows would leave sessions live and hidden from their user.
    [{ LEASH_MAX_SESSIONS: '101' }, /LEASH_MAX_SESSIONS must be between 1 and 100, got 101/],
    [{ LEASH_MAX_SESSIONS: '0' }, /LEASH_MAX_SESSIONS/],
    [{ LEASH_HASH_CONCURRENCY: '0' }, /LEASH_HASH_CONCURRENCY/],
    [{ LEASH_HASH_CONCURRENCY: '2.5' }, /LEASH_HASH_CONCURRENCY/],
    [{ LEASH_HASH_QUEUE: '-1' }, /LEASH_HASH_QUEUE/],
    [{ LEASH_ALLOW_REGISTRATION: 'maybe' }, /LEASH_ALLOW_REGISTRATION/],
    [{ LEASH_CORS_ORIGINS: 'not a url' }, /LEASH_CORS_ORIGINS/],
    [{ LEASH_COOKIE_SECURE: 'sometimes' }, /LEASH_COOKIE_SECURE/],
    [{ LEASH_COOKIE_HOST_PREFIX: 'maybe' }, /LEASH_COOKIE_HOST_PREFIX/],
    [{ LEASH_COOKIE_HOST_PREFIX: 'true' }, /LEASH_COOKIE_HOST_PREFIX/],
    [{ LEASH_COOKIE_HOST_PREFIX: 'true', LEASH_COOKIE_SECURE: 'auto' }, /LEASH_COOKIE_HOST_PREFIX/],
    [{ LEASH_COOKIE_HOST_PREFIX: 'true', LEASH_COOKIE_SECURE: 'false', NODE_ENV: 'production' }, /Secure/],
    [{ LEASH_PUBLIC_ORIGIN: 'https://app.example.com/path' }, /LEASH_PUBLIC_ORIGIN/],
    [{ LEASH_PUBLIC_ORIGIN: 'https://a.example, https://b.example' }, /LEASH_PUBLIC_ORIGIN/],
    // 0 does not turn step-up off: a value that silently disables a security check is too easy to set
    [{ LEASH_REAUTH_MAX_AGE: '0' }, /LEASH_REAUTH_MAX_AGE must be between 1 and/],
    [{ LEASH_REAUTH_MAX_AGE: '10m' }, /LEASH_REAUTH_MAX_AGE must be a whole number of seconds, got "10m"/],
  ])('refuses %o with a message naming the variable', (env, message) => {
    expect(() => configFromEnv(env)).toThrow(ConfigError)
    expect(() => configFromEnv(env)).toThrow(message)
  })

  it('reads every variable of the spec', () => {
    const config = configFromEnv({
      LEASH_ACCESS_TTL: '60',
      LEASH_IDLE_TIMEOUT: '600',
      LEASH_ABSOLUTE_TIMEOUT: '3600',
      LEASH_REUSE_INTERVAL: '0',
      LEASH_LOGIN_RATE: '3',
      LEASH_IP_RATE: '120',
      LEASH_ACCOUNT_RATE: '30',
      LEASH_MAX_SESSIONS: '20',
      LEASH_HASH_CONCURRENCY: '3',
      LEASH_HASH_QUEUE: '0',
      LEASH_ALLOW_REGISTRATION: 'false',
      LEASH_CORS_ORIGINS: 'https://a.example, http://localhost:5173',
      LEASH_REAUTH_MAX_AGE: '300',
      NODE_ENV: 'production',
    })
    expect(config).toMatchObject({
      accessTtl: 60,
      idleTimeout: 600,
      absoluteTimeout: 3600,
      reuseInterval: 0,
      loginRate: 3,
      ipRate: 120,
      accountRate: 30,
      maxSessions: 20,
      hashConcurrency: 3,
      hashQueue: 0,
      allowRegistration: false,
      corsOrigins: ['https://a.example', 'http://localhost:5173'],
      reauthMaxAge: 300,
      secureCookies: true,
    })
    expect(configFromEnv({})).toMatchObject({
      accessTtl: 300,
      idleTimeout: 1800,
      absoluteTimeout: 43200,
      loginRate: 10,
      ipRate: 60,
      accountRate: 20,
      maxSessions: 100,
      hashConcurrency: 1,
      hashQueue: 32,
      secureCookies: 'auto',
      cookieHostPrefix: false,
      publicOrigin: null,
      reauthMaxAge: 600,
    })
    // The caller's defaults fill what is not set (main.ts sizes the hash concurrency to the machine).
    expect(configFromEnv({}, { ...defaultConfig, hashConcurrency: 7 }).hashConcurrency).toBe(7)
  })

  it('LEASH_COOKIE_SECURE: auto is on in production or behind an https public origin, else by scheme', () => {
    const secure = (env: Record<string, string>) => configFromEnv(env).secureCookies
    expect(secure({})).toBe('auto')
    expect(secure({ LEASH_COOKIE_SECURE: 'auto' })).toBe('auto')
    expect(secure({ NODE_ENV: 'production' })).toBe(true)
    expect(secure({ LEASH_PUBLIC_ORIGIN: 'https://app.example.com' })).toBe(true)
    expect(secure({ LEASH_PUBLIC_ORIGIN: 'http://app.example.com' })).toBe('auto')
    expect(secure({ LEASH_COOKIE_SECURE: 'true' })).toBe(true)
    expect(secure({ LEASH_COOKIE_SECURE: 'false', NODE_ENV: 'production' })).toBe(false)
  })

  it('LEASH_COOKIE_HOST_PREFIX and LEASH_PUBLIC_ORIGIN', () => {
    expect(configFromEnv({ LEASH_COOKIE_HOST_PREFIX: 'true', LEASH_COOKIE_SECURE: 'true' })).toMatchObject({
      cookieHostPrefix: true,
      secureCookies: true,
    })
    expect(configFromEnv({ LEASH_COOKIE_HOST_PREFIX: 'true', NODE_ENV: 'production' }).cookieHostPrefix).toBe(
      true,
    )
    expect(configFromEnv({ LEASH_PUBLIC_ORIGIN: 'https://app.example.com' }).publicOrigin).toBe(
      'https://app.example.com',
    )
  })

  it('parses seed users and refuses a malformed entry', () => {
    expect(parseSeedUsers('alice:pw1, root:pw2:admin')).toEqual([
      { username: 'alice', password: 'pw1', role: 'user' },
      { username: 'root', password: 'pw2', role: 'admin' },
    ])
    expect(() => parseSeedUsers('alice')).toThrow(/LEASH_SEED_USERS/)
    expect(() => parseSeedUsers('alice:pw:superuser')).toThrow(/LEASH_SEED_USERS/)
  })

  it('refuses to start in production without a global secret, or with a short one', async () => {
    const base = { LEASH_PORT: '0', LEASH_DATABASE: 'sqlite::memory:' }
    await expect(startServer({ ...base, NODE_ENV: 'production' }, true)).rejects.toThrow(
      /LEASH_GLOBAL_SECRET/,
    )
    await expect(startServer({ ...base, LEASH_GLOBAL_SECRET: 'short' }, true)).rejects.toThrow(/32 bytes/)
    await expect(startServer({ ...base, LEASH_DATABASE: 'mysql://x' }, true)).rejects.toThrow(
      /LEASH_DATABASE/,
    )
  })
})

describe('passwords in the environment never reach a message', () => {
  const PASSWORD = 'hunter2-s3cret'
  /** Everything a crash could print of the error: its message, stack, cause and properties. */
  const shown = (error: unknown) => `${String(error)}\n${inspect(error, { depth: 5 })}`
  const base = { LEASH_PORT: '0', LEASH_DATABASE: 'sqlite::memory:', LEASH_GLOBAL_SECRET: 'x'.repeat(32) }
  const failure = (env: Record<string, string>) =>
    startServer(env, true).then(
      async (s) => {
        await s.close()
        throw new Error('started')
      },
      (error: unknown) => error as Error,
    )

  it.each([
    [
      'LEASH_DATABASE',
      'postgres://leash:PW@db:notaport/leash',
      'not a valid URL: "postgres://leash:***@db:notaport/leash"',
    ],
    ['LEASH_DATABASE', 'mysql://leash:PW@db/leash', 'got "mysql://leash:***@db/leash"'],
    ['LEASH_DATABASE', 'leash:PW@db/leash', 'got "leash:***@db/leash"'],
    ['LEASH_REDIS_URL', 'redis://:PW@cache:notaport', 'not a valid URL: "redis://:***@cache:notaport"'],
    ['LEASH_REDIS_URL', 'http://cache:6379/?password=PW', 'got "http://cache:6379/?password=***"'],
  ])('%s=%s: a ConfigError showing the URL without its password', async (name, url, message) => {
    const env = { ...base, [name]: url.replace('PW', PASSWORD) }
    const error = await failure(env)
    expect(error).toBeInstanceOf(ConfigError)
    expect(error.message).toContain(message)
    expect(shown(error)).not.toContain(PASSWORD)
    expect(startupFailure(error, env)).toBe(`leash: ${error.message}`)
  })

  it('a database that cannot be reached: the line printed names the cause, not the password', async () => {
    const env = {
      ...base,
      LEASH_DATABASE: `postgres://leash:${PASSWORD}@127.0.0.1:${await freePort()}/leash`,
    }
    const error = await failure(env)
    expect(error).toBeInstanceOf(StoreUnavailableError)
    expect(shown(error)).not.toContain(PASSWORD)
    expect(startupFailure(error, env)).toMatch(/^leash: cannot reach the database: connect ECONNREFUSED/)
  })

  it('the printed line hides the passwords whatever the error says, as written or percent-decoded', () => {
    const env = {
      LEASH_DATABASE: `postgres://leash:${encodeURIComponent(`${PASSWORD}@:`)}@db/leash`,
      LEASH_REDIS_URL: `redis://:${PASSWORD}-redis@cache:6379`,
    }
    const driver = new Error(`no access for ${PASSWORD}@: at ${env.LEASH_DATABASE}`)
    for (const error of [
      new StoreUnavailableError(driver),
      new ConfigError(driver.message),
      Object.assign(new TypeError('Invalid URL'), { input: env.LEASH_REDIS_URL }),
    ]) {
      const line = startupFailure(error, env)
      expect(line).toMatch(/^leash: /)
      expect(line).not.toContain(PASSWORD)
    }
  })

  it('log lines of the Redis bus and limiter do not carry the password', async () => {
    const lines: string[] = []
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk))
      return true
    })
    try {
      const server = await startServer(
        { ...base, LEASH_LOG: 'warn', LEASH_REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${await freePort()}` },
        false,
      )
      try {
        await vi.waitFor(() => expect(lines.join('')).toMatch(/bus (subscriber|publisher) error/))
      } finally {
        await server.close()
      }
    } finally {
      write.mockRestore()
    }
    expect(lines.join('')).not.toContain(PASSWORD)
  })
})

describe('the server on a socket, over SQLite', () => {
  const env = {
    LEASH_PORT: '0',
    LEASH_DATABASE: `sqlite:${join(dir, 'data', 'leash.db')}`,
    LEASH_SEED_USERS: 'alice:alice-password',
  }
  const post = (server: RunningServer, path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })

  it('serves the protocol, and a restart loses nothing', { timeout: 30_000 }, async () => {
    let server = await startServer(env, true)
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({
      status: 'ok',
      store: 'ok',
      bus: 'ok',
    })

    const login = await post(server, '/auth/login', { username: 'alice', password: 'alice-password' })
    expect(login.status).toBe(200)
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!
    expect(cookie).toMatch(/^leash_refresh=[\w-]{107}$/) // 256 random bits, the session id, its tag
    const { access_token } = (await login.json()) as { access_token: string }
    const auth = { authorization: `Bearer ${access_token}` }
    expect((await post(server, '/api/notes', { text: 'kept across restarts' }, auth)).status).toBe(201)

    // The development secret is generated once, beside the database, readable by its owner only.
    const secretFile = join(dir, 'data', 'leash.secret')
    const secret = readFileSync(secretFile, 'utf8')
    expect(statSync(secretFile).mode & 0o077).toBe(0)
    await server.close()

    server = await startServer(env, true)
    try {
      expect(readFileSync(secretFile, 'utf8')).toBe(secret)
      const notes = await fetch(`${server.url}/api/notes`, { headers: auth })
      expect(notes.status).toBe(200)
      expect(((await notes.json()) as { notes: Array<{ text: string }> }).notes.map((n) => n.text)).toEqual([
        'kept across restarts',
      ])
      const refreshed = await fetch(`${server.url}/auth/refresh`, { method: 'POST', headers: { cookie } })
      expect(refreshed.status).toBe(200)
      // Seeding again does not touch the existing user: the password is the same.
      expect(
        (await post(server, '/auth/login', { username: 'alice', password: 'alice-password' })).status,
      ).toBe(200)
    } finally {
      await server.close()
    }
  })
})
