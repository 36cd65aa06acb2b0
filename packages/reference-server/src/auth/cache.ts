/**
 * A bounded map whose fills cannot resurrect what an invalidation removed: a load that began before an
 * invalidation of the cache is returned to its caller but not stored, and no caller joins it afterwards.
 * Entries also expire `maxAgeMs` after they were loaded, which bounds how long a missed invalidation can
 * matter (an instance cut off from the bus while the others still hear it). A key `admit` refuses is
 * loaded for its caller but not stored.
 */
export class InvalidatingCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>()
  private readonly loading = new Map<string, { generation: number; promise: Promise<V | null> }>()
  private generation = 0

  constructor(
    private readonly maxEntries: number,
    private readonly maxAgeMs = Number.POSITIVE_INFINITY,
    private readonly now: () => number = Date.now,
    /** Whether a loaded value may be stored now (false while it is held: auth/holds.ts). */
    private readonly admit: (key: string, value: V) => boolean = () => true,
  ) {}

  /** The cached value, if any and not expired, without waiting. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expires <= this.now()) {
      this.entries.delete(key)
      return undefined
    }
    return entry.value
  }

  /** The cached value, or the loader's (stored unless an invalidation happened meanwhile; null is never stored). */
  load(key: string, loader: () => Promise<V | null>): Promise<V | null> {
    const hit = this.get(key)
    if (hit !== undefined) return Promise.resolve(hit)
    const generation = this.generation
    const pending = this.loading.get(key)
    if (pending && pending.generation === generation) return pending.promise
    const started = this.now()
    const promise = loader().then(
      (value) => {
        if (this.loading.get(key)?.promise === promise) this.loading.delete(key)
        if (value !== null && this.generation === generation && this.admit(key, value))
          this.set(key, value, started + this.maxAgeMs)
        return value
      },
      (error: unknown) => {
        if (this.loading.get(key)?.promise === promise) this.loading.delete(key)
        throw error
      },
    )
    this.loading.set(key, { generation, promise })
    return promise
  }

  delete(key: string): void {
    this.generation += 1
    this.entries.delete(key)
  }

  /** Drops every entry whose value matches (a scan: for rare events, never per request). */
  deleteWhere(matches: (value: V) => boolean): void {
    this.generation += 1
    for (const [key, entry] of this.entries) if (matches(entry.value)) this.entries.delete(key)
  }

  clear(): void {
    this.generation += 1
    this.entries.clear()
  }

  get size(): number {
    return this.entries.size
  }

  private set(key: string, value: V, expires: number): void {
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.entries.keys().next().value
      if (oldest !== undefined) this.entries.delete(oldest)
    }
    this.entries.set(key, { value, expires })
  }
}
