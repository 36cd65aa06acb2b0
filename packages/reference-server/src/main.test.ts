import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ConfigError, configFromEnv } from './config.js'
import { type RunningServer, startServer } from './main.js'
import { parseSeedUsers } from './seed.js'

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
    [{ LEASH_ALLOW_REGISTRATION: 'maybe' }, /LEASH_ALLOW_REGISTRATION/],
    [{ LEASH_CORS_ORIGINS: 'not a url' }, /LEASH_CORS_ORIGINS/],
    [{ LEASH_COOKIE_SECURE: 'sometimes' }, /LEASH_COOKIE_SECURE/],
    [{ LEASH_COOKIE_HOST_PREFIX: 'maybe' }, /LEASH_COOKIE_HOST_PREFIX/],
    [{ LEASH_COOKIE_HOST_PREFIX: 'true' }, /LEASH_COOKIE_HOST_PREFIX/],
    [{ LEASH_COOKIE_HOST_PREFIX: 'true', LEASH_COOKIE_SECURE: 'auto' }, /LEASH_COOKIE_HOST_PREFIX/],
    [{ LEASH_COOKIE_HOST_PREFIX: 'true', LEASH_COOKIE_SECURE: 'false', NODE_ENV: 'production' }, /Secure/],
    [{ LEASH_PUBLIC_ORIGIN: 'https://app.example.com/path' }, /LEASH_PUBLIC_ORIGIN/],
    [{ LEASH_PUBLIC_ORIGIN: 'https://a.example, https://b.example' }, /LEASH_PUBLIC_ORIGIN/],
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
      LEASH_ALLOW_REGISTRATION: 'false',
      LEASH_CORS_ORIGINS: 'https://a.example, http://localhost:5173',
      NODE_ENV: 'production',
    })
    expect(config).toMatchObject({
      accessTtl: 60,
      idleTimeout: 600,
      absoluteTimeout: 3600,
      reuseInterval: 0,
      loginRate: 3,
      allowRegistration: false,
      corsOrigins: ['https://a.example', 'http://localhost:5173'],
      secureCookies: true,
    })
    expect(configFromEnv({})).toMatchObject({
      accessTtl: 300,
      idleTimeout: 1800,
      absoluteTimeout: 43200,
      secureCookies: 'auto',
      cookieHostPrefix: false,
      publicOrigin: null,
    })
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
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({
      status: 'ok',
      store: 'ok',
      bus: 'ok',
    })

    const login = await post(server, '/auth/login', { username: 'alice', password: 'alice-password' })
    expect(login.status).toBe(200)
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!
    expect(cookie).toMatch(/^leash_refresh=[\w-]{43}$/)
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
