/**
 * What changed, so that every instance drops the matching cache entries; `keys`: the keyring in the
 * database changed (`leash-server keys`), so that every instance reads it again.
 */
export type Invalidation =
  | { kind: 'user'; id: string }
  | { kind: 'session'; id: string }
  | { kind: 'all' }
  | { kind: 'keys' }

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
