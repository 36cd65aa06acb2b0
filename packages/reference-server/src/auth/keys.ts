import { causeText, type LogEntry } from '../log.js'
import { type Keyring, type KeyringKey, oneKeyRing, validateKeyring } from '../tokens/keyring.js'

export interface KeysOptions {
  /** Reads the ring again (the database's, `leash-server keys`); without it the ring never changes. */
  load?: () => Promise<Keyring>
  /** Epoch ms (default `Date.now`). */
  now?: () => number
  /** A token naming a key not in the ring reloads it at most once per this (ms, default 1000). */
  minReloadGapMs?: number
  /** A reload every this (ms, default 30 000), so that a missed bus message leaves no instance behind. */
  reloadEveryMs?: number
  log?: (entry: LogEntry) => void
}

/** The keyring as an instance holds it: the current ring, and how it is read again. */
export interface Keys {
  /** The key that signs new tokens. */
  signer(): KeyringKey
  /** The secret of the key `kid` names, or undefined when the ring holds none of that id. */
  secretOf(kid: string): string | undefined
  /** Every secret of the ring, the signer's first. */
  secrets(): readonly string[]
  /**
   * For a `kid` the ring does not hold (a key added on another instance a moment ago): reloads the ring,
   * at most once per `minReloadGapMs`, and answers the key's secret, or undefined (retired, or made up).
   */
  find(kid: string): Promise<string | undefined>
  /** Reads the ring again now (on the bus's `keys` message). */
  reload(): Promise<void>
  /** `listener` runs when a reload brings an id whose secret differs from the one held under it before. */
  onReplaced(listener: () => void): void
  close(): void
}

export const DEFAULT_MIN_RELOAD_GAP_MS = 1_000
export const DEFAULT_RELOAD_EVERY_MS = 30_000

/** A live keyring over `initial`; with `options.load`, reloaded on demand, on unknown ids and periodically. */
export function createKeys(initial: Keyring, options: KeysOptions = {}): Keys {
  const now = options.now ?? Date.now
  const gap = options.minReloadGapMs ?? DEFAULT_MIN_RELOAD_GAP_MS
  const log = options.log ?? (() => {})
  const replaced = new Set<() => void>()
  /** Every secret ever held under an id, so that an id that comes back with another secret is noticed. */
  const seen = new Map<string, string>()
  let ring!: Keyring
  let byId = new Map<string, string>()
  let ordered: string[] = []

  const adopt = (next: Keyring) => {
    ring = validateKeyring(next)
    byId = new Map(ring.keys.map((k) => [k.id, k.secret]))
    ordered = [byId.get(ring.signer)!, ...ring.keys.filter((k) => k.id !== ring.signer).map((k) => k.secret)]
    let changed = false
    for (const k of ring.keys) {
      const before = seen.get(k.id)
      if (before !== undefined && before !== k.secret) changed = true
      seen.set(k.id, k.secret)
    }
    if (changed) for (const listener of replaced) listener()
  }
  adopt(initial)

  let inFlight: Promise<void> | undefined
  let lastStarted = Number.NEGATIVE_INFINITY
  const reload = () => {
    const load = options.load
    if (!load) return Promise.resolve()
    inFlight ??= (async () => {
      lastStarted = now()
      try {
        adopt(await load())
      } catch (error) {
        log({ level: 'warn', msg: 'keyring reload failed: keeping the keys held', error: causeText(error) })
      } finally {
        inFlight = undefined
      }
    })()
    return inFlight
  }

  const timer = options.load
    ? setInterval(() => void reload(), options.reloadEveryMs ?? DEFAULT_RELOAD_EVERY_MS)
    : undefined
  ;(timer as { unref?: () => void } | undefined)?.unref?.()

  return {
    signer: () => ({ id: ring.signer, secret: byId.get(ring.signer)! }),
    secretOf: (kid) => byId.get(kid),
    secrets: () => ordered,
    async find(kid) {
      if (!options.load) return undefined
      if (inFlight) await inFlight
      else if (now() - lastStarted >= gap) await reload()
      return byId.get(kid)
    },
    reload,
    onReplaced: (listener) => {
      replaced.add(listener)
    },
    close: () => {
      if (timer !== undefined) clearInterval(timer)
    },
  }
}

/** How `createApp` and `createVerifier` are given their keys: the one-key form, or a keyring. */
export interface KeyOptions {
  /**
   * The server's secret (≥ 32 bytes), combined with each user's `secret` to derive that user's signing
   * key: the one-key form, a keyring of one key whose id is `default`. Give this or `keyring`.
   */
  globalSecret?: string
  /**
   * The keys access tokens are signed and verified with: `signer` signs, every key in `keys` is accepted
   * (see `Keyring`). Give this or `globalSecret`.
   */
  keyring?: Keyring
  /**
   * Reads the keyring again (from a database that `leash-server keys` changes): on the bus's `keys`
   * message, on a token naming a key the ring lacks (at most once a second), and every 30 s.
   */
  reloadKeyring?: () => Promise<Keyring>
}

/** The live keyring `options` describe; throws an Error that names what is missing or wrong (never a secret). */
export function keysFrom(options: KeyOptions, log?: (entry: LogEntry) => void): Keys {
  const { globalSecret, keyring } = options
  if (globalSecret !== undefined && keyring !== undefined)
    throw new Error('give globalSecret or keyring, not both')
  if (globalSecret !== undefined) {
    if (typeof globalSecret !== 'string' || new TextEncoder().encode(globalSecret).length < 32)
      throw new Error('the global secret must be at least 32 bytes')
    return createKeys(oneKeyRing(globalSecret))
  }
  if (keyring === undefined) throw new Error('globalSecret or keyring is required')
  return createKeys(keyring, {
    ...(options.reloadKeyring && { load: options.reloadKeyring }),
    ...(log && { log }),
  })
}
