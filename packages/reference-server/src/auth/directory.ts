import type { Bus, Invalidation } from '../bus/types.js'
import type { LogEntry } from '../log.js'
import type { AuditEvent, SessionRecord, Store, UserRecord } from '../store/types.js'
import type { SigningKey, TokenCodec } from '../tokens/codec.js'
import type { KeyringKey } from '../tokens/keyring.js'
import { randomToken } from '../tokens/random.js'
import { InvalidatingCache } from './cache.js'
import { createHolds } from './holds.js'
import type { Keys } from './keys.js'
import { createOutboxRelay, OUTBOX_POLL_MS, scheduleOutboxRelay } from './outbox-relay.js'
import { type PublicUser, publicUser } from './views.js'

/**
 * A user as the per-request check needs it: the record, its public view (made once per cache fill, frozen,
 * so a verified request hands it out without copying), and the user's signing keys, derived with `epoch`
 * under each key of the keyring a token has named so far (by key id).
 */
export interface KeyedUser {
  user: UserRecord
  view: PublicUser
  epoch: string
  keys: Map<string, SigningKey>
}

/** What a new token of a user is signed with: the keyring's signer (`kid`, `sub_mac`) and the user's key under it. */
export interface SignerKey {
  ringKey: KeyringKey
  key: SigningKey
}

export interface Directory {
  /** The user and its keys, from cache when the bus is live; null for an unknown id. */
  user(id: string): Promise<KeyedUser | null>
  /** The user's key under the keyring key `kid` (whose secret is `secret`), derived once per cache fill. */
  userKey(keyed: KeyedUser, kid: string, secret: string): SigningKey | Promise<SigningKey>
  /** The keyring: which key signs, which are accepted. */
  keyring: Keys
  /** The cached user, without waiting; undefined on a miss. */
  cachedUser(id: string): KeyedUser | undefined
  session(id: string): Promise<SessionRecord | null>
  cachedSession(id: string): SessionRecord | undefined
  /**
   * The `sub_mac` of a user id under the keyring key `key` (default: the signer's): what every token of
   * that user signed with that key carries, checkable without a lookup.
   */
  subjectMac(id: string, key?: KeyringKey): string | Promise<string>
  /**
   * When this store first served a version that signs `sub_mac` (epoch ms): tokens without it were signed
   * before, and are looked up only until they have all expired. Set by the first instance to start, kept.
   */
  subjectMacSince(): Promise<number>
  /** The key a user's tokens are signed with now: the user's key under the keyring's signer. */
  keyFor(user: UserRecord): Promise<SignerKey>
  /** Tell every instance (this one first) that something changed. */
  invalidate(message: Invalidation): Promise<void>
  /**
   * Runs a change that revokes `targets`: announced first (every instance drops them and reads them from
   * the store only, caching nothing of them), released once the change has committed or failed. If this
   * instance dies in between, the others still read the store for them: the change is seen at their next
   * request. The store records it in its outbox too, for a commit slower than the hold (auth/holds.ts).
   */
  revoking<T>(targets: Invalidation[], change: () => Promise<T>): Promise<T>
  /** Rotate the global epoch: every key of every user changes. */
  rotateGlobal(now: number, audit?: AuditEvent[]): Promise<void>
  close(): void
}

const EPOCH_KEY = 'global_epoch'
const SUB_MAC_SINCE_KEY = 'sub_mac_since'

/**
 * Every invalidation reaches the cache at once, a revocation is held from before its commit (holds.ts), and
 * the outbox is read every 250 ms (outbox-relay.ts); this bound covers what is left: an instance that missed
 * a message and cannot read the outbox either. It costs one store read per cached user and session every
 * 5 s per instance.
 */
export const DEFAULT_MAX_AGE_MS = 5_000

/**
 * Cached reads of what the per-request check needs: user records with derived keys, sessions and the
 * global epoch. Entries are dropped on every invalidation the bus carries and every one the outbox gains;
 * a held target is read from the store and not cached; while the bus is not live, every read goes to the store.
 */
export function createDirectory(deps: {
  store: Store
  bus: Bus
  codec: TokenCodec
  /** The keyring (`createKeys`); reloaded on the bus's `keys` message. */
  keys: Keys
  /** Epoch ms, for the cache's age bound. */
  now?: () => number
  /** How long a cached user or session may be served without a store read (default 5 s). */
  maxAgeMs?: number
  maxUsers?: number
  maxSessions?: number
  /**
   * How often the outbox is read (ms; 0: never). Default `OUTBOX_POLL_MS` on a bus that spans instances,
   * never on the in-process one (whose one process publishes, or dies with its cache).
   */
  outboxPollMs?: number
  log?: (entry: LogEntry) => void
}): Directory {
  const { store, bus, codec, keys } = deps
  const now = deps.now ?? Date.now
  const maxAge = deps.maxAgeMs ?? DEFAULT_MAX_AGE_MS
  const holds = createHolds(now)
  const users = new InvalidatingCache<KeyedUser>(deps.maxUsers ?? 100_000, maxAge, now, (id) => {
    return !holds.blocks('user', id)
  })
  // A held user holds its sessions too: a sign-in at the cap ends sessions it cannot name beforehand.
  const sessions = new InvalidatingCache<SessionRecord>(deps.maxSessions ?? 200_000, maxAge, now, (id, s) => {
    return !holds.blocks('session', id) && !holds.blocks('user', s.userId)
  })
  const epochs = new InvalidatingCache<string>(1, maxAge, now, (id) => !holds.blocks('epoch', id))
  let wasLive = bus.live()

  const trusted = () => {
    const live = bus.live()
    if (live && !wasLive) {
      // Back from an outage: whatever was cached may have been invalidated while we could not hear it.
      users.clear()
      sessions.clear()
      epochs.clear()
    }
    wasLive = live
    return live
  }

  // The first instance to start sets the epoch; any other reads the one that won.
  const loadEpoch = () => store.initMeta(EPOCH_KEY, randomToken(16))
  const epoch = async () =>
    trusted() ? ((await epochs.load('epoch', loadEpoch)) ?? loadEpoch()) : loadEpoch()
  // The `sub_mac` key of each keyring key, by id, with the secret it was derived from.
  const subjectKeys = new Map<string, { secret: string; key?: SigningKey; pending: Promise<SigningKey> }>()
  const subjectKeyOf = (k: KeyringKey) => {
    let entry = subjectKeys.get(k.id)
    if (entry?.secret !== k.secret) {
      const fresh: { secret: string; key?: SigningKey; pending: Promise<SigningKey> } = {
        secret: k.secret,
        pending: codec.deriveSubjectKey(k.secret),
      }
      void fresh.pending.then((key) => {
        fresh.key = key
      })
      entry = fresh
      subjectKeys.set(k.id, entry)
    }
    return entry
  }
  subjectKeyOf(keys.signer())
  const subjectMac = (id: string, k: KeyringKey = keys.signer()) => {
    const entry = subjectKeyOf(k)
    return entry.key
      ? codec.subjectMac(id, entry.key)
      : entry.pending.then((key) => codec.subjectMac(id, key))
  }
  // Read at start, so that the window opens then; a failed read is tried again at the next token without one.
  let since: Promise<number> | undefined
  const subjectMacSince = () => {
    since ??= store.initMeta(SUB_MAC_SINCE_KEY, String(now())).then(Number, (error: unknown) => {
      since = undefined
      throw error
    })
    return since
  }
  subjectMacSince().catch(() => {})
  const keyFor = async (user: UserRecord): Promise<SignerKey> => {
    const signer = keys.signer()
    return { ringKey: signer, key: await codec.deriveKey(signer.secret, await epoch(), user.secret) }
  }
  const userKey = (keyed: KeyedUser, kid: string, secret: string) =>
    keyed.keys.get(kid) ??
    codec.deriveKey(secret, keyed.epoch, keyed.user.secret).then((key) => {
      keyed.keys.set(kid, key)
      return key
    })

  const loadUser = async (id: string): Promise<KeyedUser | null> => {
    const user = await store.findUserById(id)
    if (!user) return null
    return { user, view: Object.freeze(publicUser(user)), epoch: await epoch(), keys: new Map() }
  }
  // An id that came back with another secret (retired, then added again): no key derived before holds.
  keys.onReplaced(() => {
    users.clear()
    subjectKeys.clear()
  })

  /** Drops what the message names (a hold or a release drops it too: a load under way is not stored). */
  const drop = (message: Invalidation) => {
    holds.apply(message)
    if (message.kind === 'user' && message.hold !== undefined) {
      const { id } = message
      sessions.deleteWhere((s) => s.userId === id)
    }
    if (message.kind === 'user') users.delete(message.id)
    else if (message.kind === 'session') sessions.delete(message.id)
    else if (message.kind === 'keys')
      return keys.reload() // acknowledged once read
    else {
      // Everything may have changed (a revoke-all, or the bus back from an outage): the keyring too.
      void keys.reload()
      users.clear()
      sessions.clear()
      epochs.clear()
    }
  }
  const unsubscribe = bus.subscribe(drop)
  const pollMs = deps.outboxPollMs ?? (bus.kind === 'in-process' ? 0 : OUTBOX_POLL_MS)
  const log = deps.log ?? (() => {})
  const relay = pollMs > 0 && scheduleOutboxRelay(createOutboxRelay({ store, apply: drop, now, log }), pollMs)

  async function revoking<T>(targets: Invalidation[], change: () => Promise<T>): Promise<T> {
    const token = randomToken(12)
    await Promise.all(targets.map((target) => bus.publish({ ...target, hold: token })))
    try {
      return await change()
    } finally {
      await Promise.all(targets.map((target) => bus.publish({ ...target, release: token })))
    }
  }

  return {
    user: (id) => (trusted() ? users.load(id, () => loadUser(id)) : loadUser(id)),
    cachedUser: (id) => (trusted() ? users.get(id) : undefined),
    userKey,
    keyring: keys,
    session: (id) => (trusted() ? sessions.load(id, () => store.findSession(id)) : store.findSession(id)),
    cachedSession: (id) => (trusted() ? sessions.get(id) : undefined),
    subjectMac,
    subjectMacSince,
    keyFor,
    invalidate: (message) => bus.publish(message),
    revoking,
    rotateGlobal: (now, audit) =>
      revoking([{ kind: 'all' }], () => store.rotateGlobalEpoch(randomToken(16), now, audit)),
    close: () => {
      unsubscribe()
      keys.close()
      if (relay) relay.stop()
    },
  }
}
