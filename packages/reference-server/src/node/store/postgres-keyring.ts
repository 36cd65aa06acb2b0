import type pg from 'pg'
import { DEFAULT_KEY_ID, KEY_ID, type Keyring } from '../../tokens/keyring.js'

/** A key as `leash-server keys list` shows it: never its secret. */
export interface ListedKey {
  id: string
  signer: boolean
  createdAt: number
}

/** A change `leash-server keys` asked for that the keyring refuses (an unknown id, the signer retired, …). */
export class KeyringChangeError extends Error {
  override name = 'KeyringChangeError'
}

/**
 * The keyring kept in the database (table `signing_keys`), for the development case and for
 * `LEASH_GLOBAL_SECRETS=database`: every instance reads it, `leash-server keys` changes it.
 */
export interface KeyringTable {
  /**
   * The ring. An empty table is first given one key, `default`, whose secret is `seed()` (the development
   * secret every instance shared before key ids, so that no one is signed out); the first instance wins.
   */
  load(seed: () => Promise<string>): Promise<Keyring>
  list(): Promise<ListedKey[]>
  /** Adds a key, not the signer; refuses an id the ring holds. */
  add(id: string, secret: string, now: number): Promise<void>
  /** Makes the key `id` the signer; refuses an id the ring does not hold. */
  use(id: string): Promise<void>
  /** Deletes the key `id` and its secret; refuses the signer and an id the ring does not hold. */
  retire(id: string): Promise<void>
}

type Query = (text: string, values?: unknown[]) => Promise<pg.QueryResult<pg.QueryResultRow>>
type Transaction = <T>(run: (client: pg.PoolClient) => Promise<T>) => Promise<T>

/** The keyring table over the PostgreSQL store's `query` and `transaction`. */
export function postgresKeyring(query: Query, transaction: Transaction): KeyringTable {
  const read = async (): Promise<Keyring | null> => {
    const { rows } = await query('SELECT id, secret, signer FROM signing_keys ORDER BY created_at, id')
    if (rows.length === 0) return null
    const signer = rows.find((r) => r.signer === true)?.id as string | undefined
    return {
      signer: signer ?? '',
      keys: rows.map((r) => ({ id: r.id as string, secret: r.secret as string })),
    }
  }
  /** Runs `change` in a transaction that holds the table; a message it returns is the refusal. */
  const change = async (run: (client: pg.PoolClient) => Promise<string | null>) => {
    const refused = await transaction(async (client) => {
      await client.query('LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE')
      return run(client)
    })
    if (refused) throw new KeyringChangeError(refused)
  }
  const held = async (client: pg.PoolClient, id: string) =>
    (await client.query('SELECT signer FROM signing_keys WHERE id = $1', [id])).rows[0] as
      | { signer: boolean }
      | undefined

  return {
    async load(seed) {
      const ring = await read()
      if (ring) return ring
      await query(
        `INSERT INTO signing_keys (id, secret, created_at, signer)
         SELECT $1, $2, $3, true WHERE NOT EXISTS (SELECT 1 FROM signing_keys) ON CONFLICT DO NOTHING`,
        [DEFAULT_KEY_ID, await seed(), Date.now()],
      )
      return (await read())!
    },
    async list() {
      const { rows } = await query('SELECT id, signer, created_at FROM signing_keys ORDER BY created_at, id')
      return rows.map((r) => ({
        id: r.id as string,
        signer: r.signer as boolean,
        createdAt: Number(r.created_at),
      }))
    },
    add: (id, secret, now) =>
      change(async (client) => {
        if (!KEY_ID.test(id)) return `a key id must be 1 to 32 of A-Z a-z 0-9 _ -, got "${id.slice(0, 40)}"`
        if (await held(client, id)) return `the keyring already holds a key "${id}"`
        await client.query(
          'INSERT INTO signing_keys (id, secret, created_at, signer) VALUES ($1, $2, $3, false)',
          [id, secret, now],
        )
        return null
      }),
    use: (id) =>
      change(async (client) => {
        if (!(await held(client, id))) return `the keyring holds no key "${id}" (add it first)`
        await client.query('UPDATE signing_keys SET signer = false WHERE signer AND id <> $1', [id])
        await client.query('UPDATE signing_keys SET signer = true WHERE id = $1', [id])
        return null
      }),
    retire: (id) =>
      change(async (client) => {
        const key = await held(client, id)
        if (!key) return `the keyring holds no key "${id}"`
        if (key.signer) return `"${id}" signs new tokens: make another key the signer first (keys use <id>)`
        const { rows } = await client.query('DELETE FROM signing_keys WHERE id = $1 RETURNING secret', [id])
        // The development secret the ring was seeded from goes with its key: a dump then holds no retired key.
        await client.query("DELETE FROM meta WHERE key = 'dev_global_secret' AND value = $1", [
          rows[0]!.secret,
        ])
        return null
      }),
  }
}
