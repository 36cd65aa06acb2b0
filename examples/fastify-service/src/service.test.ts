import { readFileSync } from 'node:fs'
import { ConfigError } from '@leash/reference-server'
import { type RunningServer, startServer, startupFailure } from '@leash/reference-server/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  databaseUrl,
  dropSchema,
  freshSchema,
  redisUrl,
  skipWithout,
} from '../../../packages/reference-server/src/test/services.js'
import { type RunningService, startService } from './server.js'

// The second service as `npm start` runs it, beside a Leash server on the same PostgreSQL and Redis, both
// driven over HTTP: what the server ends, the service refuses at its very next request.

describe('examples/fastify-service: what it refuses to start on', () => {
  it('a database that is not PostgreSQL, or no Redis: a ConfigError naming the variable', async () => {
    const sqlite = { LEASH_DATABASE: 'sqlite:./data/leash.db', LEASH_REDIS_URL: 'redis://127.0.0.1:1' }
    const error = await startService(sqlite).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    // What the program prints before it exits 1.
    expect(startupFailure(error, sqlite)).toMatch(
      /^leash: LEASH_DATABASE must be the issuing server's PostgreSQL/,
    )
    const noRedis = { LEASH_DATABASE: 'postgres://leash:secret-pw@127.0.0.1:1/leash' }
    const missing = await startService(noRedis).catch((e: unknown) => e)
    expect(startupFailure(missing, noRedis)).toMatch(/^leash: LEASH_REDIS_URL must be set/)
    await expect(startService({ ...sqlite, SERVICE_PORT: 'x' })).rejects.toThrow(/SERVICE_PORT/)
  })
})

const skip = skipWithout(['database', 'redis'], 'fastify-service')
describe.skipIf(skip)(`examples/fastify-service beside a Leash server${skip ? ` (${skip})` : ''}`, () => {
  const schema = freshSchema()
  const secret = 'fastify-service-example-global-secret-0123456789'
  let server: RunningServer
  let service: RunningService

  beforeAll(async () => {
    const env = {
      LEASH_DATABASE: `${databaseUrl}?schema=${schema}`,
      LEASH_REDIS_URL: redisUrl!,
      LEASH_GLOBAL_SECRET: secret,
      LEASH_LOG: 'none',
    }
    server = await startServer(
      {
        ...env,
        LEASH_PORT: '0',
        LEASH_IP_RATE: '1000000',
        LEASH_SEED_USERS: 'dave:dave-password,root:root-password:admin',
      },
      true,
    )
    service = await startService({ ...env, SERVICE_PORT: '0' })
  }, 60_000)

  afterAll(async () => {
    await service?.close()
    await server?.close()
    await dropSchema(schema)
  }, 30_000)

  /** What the server and the service answer, as far as these tests read it. */
  interface Answer {
    access_token?: string
    user?: { id: string }
    error?: { code: string }
  }
  const call = async (base: string, method: string, path: string, token?: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token && { authorization: `Bearer ${token}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.status, headers: res.headers, body: (await res.json()) as Answer }
  }
  const login = async (username: string) => {
    const res = await call(server.url, 'POST', '/auth/login', undefined, {
      username,
      password: `${username}-password`,
      refresh_transport: 'body',
    })
    expect(res.status).toBe(200)
    return { token: res.body.access_token!, id: res.body.user!.id }
  }

  it('serves /api/profile to the server’s sessions, and refuses what the server ended at the next request', async () => {
    const root = await login('root')
    for (let n = 0; n < 10; n++) {
      const dave = await login('dave')
      for (let i = 0; i < 2; i++) {
        const profile = await call(service.url, 'GET', '/api/profile', dave.token)
        expect(profile.body).toEqual({
          user: { id: dave.id, username: 'dave', role: 'user' },
          service: 'fastify-service',
        })
      }
      const [path, token, code] =
        n % 2 === 0
          ? ['/auth/logout', dave.token, 'session_revoked']
          : [`/admin/users/${dave.id}/revoke`, root.token, 'invalid_token']
      expect((await call(server.url, 'POST', path, token)).status).toBe(200)
      const refused = await call(service.url, 'GET', '/api/profile', dave.token)
      expect(refused.status, `round ${n}`).toBe(401)
      expect(refused.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"')
      expect(refused.body).toEqual({ error: { code, message: expect.any(String) } })
    }
  }, 60_000)

  it('answers 403 user_disabled with user_enabled: false, and 403 forbidden to a non-admin', async () => {
    const root = await login('root')
    expect((await call(service.url, 'GET', '/api/reports', root.token)).status).toBe(200)
    const dave = await login('dave')
    expect((await call(service.url, 'GET', '/api/reports', dave.token)).body).toMatchObject({
      error: { code: 'forbidden' },
    })
    expect((await call(server.url, 'POST', `/admin/users/${dave.id}/disable`, root.token)).status).toBe(200)
    const disabled = await call(service.url, 'GET', '/api/profile', dave.token)
    expect(disabled.status).toBe(403)
    expect(disabled.body).toMatchObject({ error: { code: 'user_disabled' }, user_enabled: false })
    expect((await call(server.url, 'POST', `/admin/users/${dave.id}/enable`, root.token)).status).toBe(200)
  })
})

describe('examples/fastify-service/src/service.ts', () => {
  it('is what the README shows, verbatim', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
    const example = readFileSync(new URL('./service.ts', import.meta.url), 'utf8')
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``)
  })
})
