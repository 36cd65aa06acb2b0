import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { skipUnless } from '../../../../test/skip.js'
import { createPostgresStore } from '../node/store/postgres.js'
import type { Store } from '../store/types.js'

/**
 * The PostgreSQL and Redis that scale-out tests run against (`scripts/services.sh start` prints both).
 * Unset, those tests are skipped and say why.
 */
export const databaseUrl = process.env.LEASH_TEST_DATABASE_URL || undefined
export const redisUrl = process.env.LEASH_TEST_REDIS_URL || undefined

/**
 * False when the services are given; otherwise the reason to skip, also written to the test output.
 * In CI a missing service throws instead (see test/skip.ts).
 */
export const skipWithout = (what: Array<'database' | 'redis'>, label = what.join(' + ')): string | false => {
  const missing = what.filter((w) => (w === 'database' ? !databaseUrl : !redisUrl))
  const names = missing.map((w) => (w === 'database' ? 'LEASH_TEST_DATABASE_URL' : 'LEASH_TEST_REDIS_URL'))
  return skipUnless(
    missing.length === 0,
    `${label} tests`,
    `${names.join(' and ')} (eval "$(scripts/services.sh start)")`,
  )
}

/** A schema name no other test uses. */
export const freshSchema = () => `leash_t_${randomBytes(6).toString('hex')}`

/** Drops a schema made by a test. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  } finally {
    await client.end()
  }
}

/** A PostgreSQL store on a schema of its own, dropped when the store is closed. */
export function isolatedPostgresStore(): Store {
  const schema = freshSchema()
  const store = createPostgresStore({ url: databaseUrl!, schema, max: 4 })
  return {
    ...store,
    close: async () => {
      await store.close()
      await dropSchema(schema)
    },
  }
}
