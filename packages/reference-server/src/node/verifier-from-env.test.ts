import { afterAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../config.js'
import { databaseUrl, dropSchema, freshSchema, redisUrl, skipWithout } from '../test/services.js'
import { startServer } from './main.js'
import { verifierFromEnv } from './verifier-from-env.js'

// verifierFromEnv: a second service configured by the auth server's own variables, or refused at start.

describe('verifierFromEnv: what it refuses', () => {
  it('a database that is not PostgreSQL, or none, naming LEASH_DATABASE', async () => {
    for (const database of [undefined, 'sqlite:./data/leash.db', 'sqlite::memory:']) {
      const started = verifierFromEnv(
        { LEASH_DATABASE: database, LEASH_REDIS_URL: 'redis://127.0.0.1:1' },
        { quiet: true },
      )
      await expect(started).rejects.toThrow(ConfigError)
      await expect(started).rejects.toThrow(/LEASH_DATABASE must be the issuing server's PostgreSQL/)
    }
  })

  it('no Redis (or not a redis:// URL), naming LEASH_REDIS_URL, and never showing a password', async () => {
    const database = 'postgres://leash:hunter2-secret@127.0.0.1:1/leash'
    await expect(verifierFromEnv({ LEASH_DATABASE: database }, { quiet: true })).rejects.toThrow(
      /LEASH_REDIS_URL must be set/,
    )
    const wrong = verifierFromEnv(
      { LEASH_DATABASE: database, LEASH_REDIS_URL: 'http://:hunter2-secret@cache:6379' },
      { quiet: true },
    )
    await expect(wrong).rejects.toThrow(ConfigError)
    await expect(wrong).rejects.not.toThrow(/hunter2/)
    const lookalike = verifierFromEnv(
      { LEASH_DATABASE: 'postgres-ish://u:hunter2-secret@h/db' },
      { quiet: true },
    )
    await expect(lookalike).rejects.not.toThrow(/hunter2/)
  })
})

const skip = skipWithout(['database', 'redis'], 'verifierFromEnv on PostgreSQL + Redis')
describe.skipIf(skip)(`verifierFromEnv on PostgreSQL + Redis${skip ? ` (${skip})` : ''}`, () => {
  const schema = freshSchema()
  afterAll(() => dropSchema(schema))

  it('verifies what the server issued, with the development secret the server keeps in the database', async () => {
    const env = {
      LEASH_DATABASE: `${databaseUrl}?schema=${schema}`,
      LEASH_REDIS_URL: redisUrl!,
      LEASH_PORT: '0',
      LEASH_IP_RATE: '1000000',
    }
    const server = await startServer({ ...env, LEASH_SEED_USERS: 'erin:erin-password-1' }, true)
    const service = await verifierFromEnv(env, { quiet: true })
    try {
      const res = await fetch(`${server.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'erin', password: 'erin-password-1', refresh_transport: 'body' }),
      })
      const { access_token } = (await res.json()) as { access_token: string }
      expect(await service.verifier.verify(`Bearer ${access_token}`)).toMatchObject({
        ok: true,
        principal: { user: { username: 'erin', role: 'user' } },
      })
      // Another secret would refuse it: the one found in the database is the server's.
      const other = await verifierFromEnv({ ...env, LEASH_GLOBAL_SECRET: 'x'.repeat(40) }, { quiet: true })
      expect(await other.verifier.verify(`Bearer ${access_token}`)).toMatchObject({
        ok: false,
        code: 'invalid_token',
      })
      await other.close()
    } finally {
      await service.close()
      await server.close()
    }
  })
})
