import { afterAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../config.js'
import { StoreUnavailableError } from '../errors.js'
import { freePort } from '../test/cluster.js'
import { databaseUrl, dropSchema, freshSchema, redisUrl, skipWithout } from '../test/services.js'
import { startServer } from './main.js'

// main.ts wiring of the scale-out adapters: PostgreSQL by URL, Redis bus and limiter by LEASH_REDIS_URL.

const secret = 'main-scale-out-test-global-secret-0123456789'

describe('main: scale-out settings', () => {
  it('refuses a LEASH_REDIS_URL that is not redis://', async () => {
    await expect(
      startServer(
        { LEASH_DATABASE: 'sqlite::memory:', LEASH_REDIS_URL: 'http://cache:6379', LEASH_PORT: '0' },
        true,
      ),
    ).rejects.toThrow(ConfigError)
  })

  it('refuses a schema that is not a plain SQL name', async () => {
    await expect(
      startServer({ LEASH_DATABASE: 'postgres://u:p@127.0.0.1:1/db?schema=x;drop', LEASH_PORT: '0' }, true),
    ).rejects.toThrow(/schema/)
  })

  it('fails to start, saying so, when the database cannot be reached', async () => {
    const url = `postgres://u:p@127.0.0.1:${await freePort()}/db`
    await expect(
      startServer({ LEASH_DATABASE: url, LEASH_GLOBAL_SECRET: secret, LEASH_PORT: '0' }, true),
    ).rejects.toBeInstanceOf(StoreUnavailableError)
  })

  it('refuses an unknown LEASH_LOG level', async () => {
    await expect(startServer({ LEASH_LOG: 'loud', LEASH_PORT: '0' }, true)).rejects.toThrow(ConfigError)
  })
})

const skip = skipWithout(['database', 'redis'], 'main on PostgreSQL + Redis')
describe.skipIf(skip)(`main on PostgreSQL + Redis${skip ? ` (${skip})` : ''}`, () => {
  const schema = freshSchema()
  afterAll(() => dropSchema(schema))

  it('serves on PostgreSQL with the Redis bus, and shares a development secret through the database', async () => {
    const env = {
      LEASH_DATABASE: `${databaseUrl}?schema=${schema}`,
      LEASH_REDIS_URL: redisUrl!,
      LEASH_PORT: '0',
      // The per-IP count of 127.0.0.1 lives in the Redis every other test server signs in through too.
      LEASH_IP_RATE: '1000000',
    }
    const one = await startServer({ ...env, LEASH_SEED_USERS: 'dana:dana-password-1' }, true)
    const two = await startServer(env, true)
    try {
      const health = async (url: string) => (await fetch(`${url}/readyz`)).json() as Promise<{ bus: string }>
      const deadline = Date.now() + 5_000
      while ((await health(one.url)).bus !== 'ok' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50))
      expect(await health(one.url)).toEqual({ status: 'ok', store: 'ok', bus: 'ok' })
      const login = await fetch(`${one.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'dana', password: 'dana-password-1', refresh_transport: 'body' }),
      })
      expect(login.status).toBe(200)
      const { access_token } = (await login.json()) as { access_token: string }
      // No LEASH_GLOBAL_SECRET: the second instance verifies the first one's token with the shared secret.
      const me = await fetch(`${two.url}/auth/me`, { headers: { authorization: `Bearer ${access_token}` } })
      expect(me.status).toBe(200)
    } finally {
      await Promise.all([one.close(), two.close()])
    }
  }, 30_000)
})
