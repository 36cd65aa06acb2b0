/**
 * What changed, so that every instance drops the matching cache entries; `keys`: the keyring in the
 * database changed (`leash-server keys`), so that every instance reads it again. A revocation is announced
 * before its change commits (`hold`: drop the entries and serve them from the store only, caching nothing
 * for that target) and closed after (`release`, with the same token): an instance that dies in between
 * leaves every other one reading the store for that target, never trusting what it had cached
 * (auth/holds.ts).
 */
export type Invalidation = (
  | { kind: 'user'; id: string }
  | { kind: 'session'; id: string }
  | { kind: 'all' }
  | { kind: 'keys' }
) & {
  /** Opens a hold of the target under this token (before the change commits). */
  hold?: string
  /** Lifts the hold of this token (after the change committed or failed). */
  release?: string
}

/**
 * Carries invalidations between server instances. `publish` reaches this instance's own listeners before
 * it resolves. While `live()` is false the bus may have missed messages: caches must not be trusted.
 */
export interface Bus {
  readonly kind: string
  publish(message: Invalidation): Promise<void>
  /**
   * A listener may return a promise (the keyring's reload): a bus that acknowledges messages (Redis) does
   * so once it settles, so that a publish resolves when every instance has acted on it.
   */
  subscribe(listener: (message: Invalidation) => unknown): () => void
  live(): boolean
  close(): Promise<void>
}
