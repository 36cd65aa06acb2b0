import type { Context, MiddlewareHandler } from 'hono'
import { type CheckDeps, createCheck } from './auth/check.js'
import { createDirectory, type KeyedUser } from './auth/directory.js'
import { type KeyOptions, keysFrom } from './auth/keys.js'
import type { Verify, VerifyResult } from './auth/verify.js'
import type { Bus } from './bus/types.js'
import { defaultConfig, type ServerConfig } from './config.js'
import type { LogEntry } from './log.js'
import {
  createRequireSession,
  type LeashEnv,
  type RequireSessionOptions,
} from './middleware/require-session.js'
import type { SessionRecord, Store } from './store/types.js'
import type { AccessClaims, ParsedToken } from './tokens/claims.js'
import type { TokenCodec } from './tokens/codec.js'
import { joseCodec } from './tokens/jose-codec.js'

export type { Principal, Verify, VerifyOptions, VerifyResult } from './auth/verify.js'

/** The check for any framework, plus its Hono middleware. */
export interface Verifier {
  verify: Verify
  /**
   * Hono middleware: the principal at `c.get('leash')`, or the protocol's answer (401 with
   * `WWW-Authenticate`, 403 `user_disabled` with `user_enabled: false`, 403 `forbidden` for another role,
   * 503 `store_unavailable` with `Retry-After`).
   */
  requireSession(options?: RequireSessionOptions): MiddlewareHandler<LeashEnv>
}

/** The verdict on a request that passed every check: its principal, the user's public view. */
const accepted = (
  keyed: KeyedUser,
  session: SessionRecord,
  claims: ParsedToken['payload'],
): VerifyResult => ({
  ok: true,
  principal: { user: keyed.view, sessionId: session.id, claims: claims as unknown as AccessClaims },
})

/** A verifier over a directory someone else owns (the app's). */
export function verifierOver(
  deps: CheckDeps & {
    authorization: (c: Context) => string | undefined
    log: (entry: LogEntry) => void
  },
): Verifier {
  const verify: Verify = createCheck(deps, accepted)
  return { verify, requireSession: createRequireSession({ ...deps, verify }) }
}

/**
 * The issuing server's store, bus and keys: its `globalSecret` (one key) or its `keyring` (every key it
 * may have signed with; with `reloadKeyring`, read again when it changes), exactly one.
 */
export interface VerifierOptions extends KeyOptions {
  /** The store the issuing server writes to. */
  store: Store
  /**
   * The bus the issuing server publishes invalidations on: how a revocation there is seen here at the next
   * request. Required: without it this cache could trust a revoked session for up to 5 s.
   */
  bus: Bus
  /** HS256 codec (default jose, portable; on Node, `nodeCodec` from `@leash/reference-server/node` is faster). */
  codec?: TokenCodec
  /**
   * The issuing server's `issuer`, `audience`, `iatLeeway` and `accessTtl`, when not the defaults (a token
   * without `sub_mac`, signed by a version before it, is accepted for `accessTtl` after this verifier starts).
   */
  config?: Partial<Pick<ServerConfig, 'issuer' | 'audience' | 'iatLeeway' | 'accessTtl'>>
  /** Epoch milliseconds (default `Date.now()`). */
  clock?: { now(): number }
  /** How the Hono middleware reads the header (default `c.req.header('authorization')`). */
  authorization?: (c: Context) => string | undefined
  /** Where a store outage is reported (level `warn`). */
  log?: (entry: LogEntry) => void
}

/**
 * A verifier for a service that never issues tokens but shares the issuing server's store, bus and
 * keys (`globalSecret`, or the same `keyring`): its own cache of users, keys and sessions, emptied by every
 * invalidation on the bus.
 * `close()` stops listening to the bus (closing the store and bus is the caller's).
 * @example
 * const verifier = createVerifier({ store, bus, globalSecret: process.env.LEASH_GLOBAL_SECRET })
 * // or, while the issuer rotates: createVerifier({ store, bus, keyring: { signer: 'b', keys: [a, b] } })
 * const result = await verifier.verify(request.headers.get('authorization'))
 * if (result.ok) console.log(result.principal.user.username)
 */
export function createVerifier(options: VerifierOptions): Verifier & { close(): void } {
  const keys = keysFrom(options, options.log)
  const codec = options.codec ?? joseCodec
  const clock = options.clock ?? Date
  const now = () => clock.now()
  const { store, bus } = options
  const log = options.log ?? (() => {})
  const directory = createDirectory({ store, bus, codec, now, log, keys })
  const verifier = verifierOver({
    directory,
    codec,
    now,
    config: { ...defaultConfig, ...options.config },
    authorization: options.authorization ?? ((c) => c.req.header('authorization')),
    log,
  })
  return { ...verifier, close: () => directory.close() }
}
