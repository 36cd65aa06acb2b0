import type { Bus } from '../bus/types.js'
import { ConfigError } from '../config.js'
import type { LogEntry } from '../log.js'
import { redactUrl } from '../redact.js'
import type { Store } from '../store/types.js'
import { createVerifier, type Verifier } from '../verifier.js'
import { createRedisBus } from './bus/redis.js'
import { type Env, isPostgresUrl, logFromEnv, openStore, redisUrlFrom } from './env.js'
import { keysFromEnv } from './keyring-env.js'
import { nodeCodec } from './tokens/node-codec.js'

/** A verifier as the `LEASH_*` environment configures it, for a service that never issues tokens. */
export interface EnvVerifier {
  readonly verifier: Verifier
  /** The issuing server's store, for a health check. */
  readonly store: Store
  /** The Redis bus (`live()` false: the verifier trusts no cache and reads the store on every check). */
  readonly bus: Bus
  /** JSON lines on stdout, as LEASH_LOG says, passwords scrubbed. */
  readonly log: (entry: LogEntry) => void
  /** Stops listening to the bus, closes it and the store. */
  close(): Promise<void>
}

/**
 * The check of a service beside the issuing server, from the variables that server reads: the same
 * PostgreSQL (`LEASH_DATABASE`), the same Redis (`LEASH_REDIS_URL`, which carries its revocations here) and
 * the same keys (`LEASH_GLOBAL_SECRET`, or `LEASH_GLOBAL_SECRETS` with `LEASH_SIGNING_KEY`; with
 * `LEASH_GLOBAL_SECRETS=database`, and in development, the keyring the server keeps in the database, read
 * again when `leash-server keys` changes it);
 * issuer, audience and leeway are the protocol's defaults, as the server's. Throws `ConfigError` when the
 * database is not PostgreSQL or Redis is not set: a verifier on a store or bus of its own would trust what
 * the issuing server has revoked.
 * @example
 * const { verifier, log, close } = await verifierFromEnv(process.env)
 */
export async function verifierFromEnv(
  env: Env = process.env,
  options: { quiet?: boolean } = {},
): Promise<EnvVerifier> {
  const { log } = logFromEnv(env, options.quiet)
  const database = env.LEASH_DATABASE?.trim() ?? ''
  if (!isPostgresUrl(database))
    throw new ConfigError(
      `LEASH_DATABASE must be the issuing server's PostgreSQL (postgres://…), got ${database ? `"${redactUrl(database)}"` : 'nothing'}: a service that verifies reads the sessions the server writes`,
    )
  const redisUrl = redisUrlFrom(env)
  if (!redisUrl)
    throw new ConfigError(
      "LEASH_REDIS_URL must be set to the issuing server's Redis: its revocations reach this service there",
    )
  const opened = await openStore(database, log)
  const { store } = opened
  const bus = createRedisBus({ url: redisUrl, log })
  const closeAdapters = () => Promise.all([bus.close(), store.close()]).then(() => {})
  const keys = await keysFromEnv(env, opened, log).catch(async (error: unknown) => {
    await closeAdapters()
    throw error
  })
  const verifier = createVerifier({
    store,
    bus,
    keyring: keys.keyring,
    ...(keys.reload && { reloadKeyring: keys.reload }),
    codec: nodeCodec,
    log,
  })
  return {
    verifier,
    store,
    bus,
    log,
    close: async () => {
      verifier.close()
      await closeAdapters()
    },
  }
}
