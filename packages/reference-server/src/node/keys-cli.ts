import { ConfigError } from '../config.js'
import { causeText } from '../log.js'
import { randomToken } from '../tokens/random.js'
import { announce } from './announce.js'
import { type Env, isPostgresUrl, openStore, redactorFor, redisUrlFrom } from './env.js'
import { DATABASE_KEYRING, databaseKeys } from './keyring-env.js'
import { KeyringChangeError } from './store/postgres-keyring.js'

const USAGE = `usage: leash-server keys list | add [id] | use <id> | retire <id>
  The keyring in the database (LEASH_DATABASE=postgres://…; in production LEASH_GLOBAL_SECRETS=database).
  Rotate: add → use <new> → wait LEASH_ACCESS_TTL → retire <old>. Secrets are generated, never printed.`

/** A new key's id when none is given: `k` and the time in base 36 (sorts by age). */
const newId = () => `k${Date.now().toString(36)}`

/**
 * `leash-server keys …`: lists or changes the keyring kept in PostgreSQL, then tells every instance (over
 * LEASH_REDIS_URL) to read it again. Writes to `out`; answers the exit code (0 done, 1 refused, 2 usage).
 */
export async function runKeysCli(args: string[], env: Env, out: (line: string) => void): Promise<number> {
  const [command, id, extra] = args
  const needsId = command === 'use' || command === 'retire'
  if (!['list', 'add', 'use', 'retire'].includes(command ?? '') || (needsId && !id) || extra !== undefined) {
    out(USAGE)
    return 2
  }
  const scrub = redactorFor(env)
  try {
    const database = env.LEASH_DATABASE?.trim() ?? ''
    if (!isPostgresUrl(database))
      throw new ConfigError(
        'leash-server keys manages the keyring kept in PostgreSQL: set LEASH_DATABASE=postgres://…',
      )
    const list = env.LEASH_GLOBAL_SECRETS?.trim()
    if (env.LEASH_GLOBAL_SECRET !== undefined || (list && list !== DATABASE_KEYRING))
      throw new ConfigError(
        'the keys are in LEASH_GLOBAL_SECRET(S), not in the database: rotate them there (README: "Rotating the signing key")',
      )
    if (env.NODE_ENV === 'production' && list !== DATABASE_KEYRING)
      throw new ConfigError(
        'in production the database keyring is used only with LEASH_GLOBAL_SECRETS=database',
      )
    const redisUrl = redisUrlFrom(env)
    const opened = await openStore(database, () => {})
    try {
      await databaseKeys(opened) // seeds the ring from the development secret, if it is new
      const table = opened.keyring!
      if (command === 'list') {
        for (const k of await table.list())
          out(`${k.id}\t${k.signer ? 'signer' : 'accepted'}\t${new Date(k.createdAt).toISOString()}`)
        return 0
      }
      const key = id ?? newId()
      if (command === 'add') await table.add(key, randomToken(48), Date.now())
      else if (command === 'use') await table.use(key)
      else await table.retire(key)
      out(
        command === 'add'
          ? `added key ${key} (accepted; make it the signer with: leash-server keys use ${key})`
          : command === 'use'
            ? `key ${key} signs new tokens (retire the old one after LEASH_ACCESS_TTL)`
            : `retired key ${key}: its tokens are answered token_expired, and refreshed`,
      )
      const told = redisUrl ? await announce(redisUrl, { kind: 'keys' }) : false
      out(
        told
          ? 'every instance on the Redis bus was told to read the keyring again'
          : 'not announced (no LEASH_REDIS_URL, or Redis did not answer): instances read the keyring within 30 s',
      )
      return 0
    } finally {
      await opened.store.close()
    }
  } catch (error) {
    if (error instanceof KeyringChangeError || error instanceof ConfigError) {
      out(scrub(`leash: ${error.message}`))
      return 1
    }
    out(scrub(`leash: ${causeText(error)}`))
    return 1
  }
}
