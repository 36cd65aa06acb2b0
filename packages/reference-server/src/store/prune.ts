import type { Store } from './types.js'

/** Rows per prune statement: each is short, so requests between them wait a few milliseconds at most. */
export const PRUNE_BATCH = 500

/**
 * Deletes what `store.prune(before)` would, `batch` rows per statement, giving the event loop back between
 * statements (one statement for an hour of ended sessions at 1,000 sign-ins a minute held requests ~1 s).
 * Stops early when `stopped()` turns true (the server is closing). Returns how many were deleted.
 */
export async function pruneInBatches(
  store: Pick<Store, 'prune'>,
  before: number,
  options: { batch?: number; pause?: () => Promise<void>; stopped?: () => boolean } = {},
): Promise<{ deleted: number; statements: number }> {
  const batch = options.batch ?? PRUNE_BATCH
  const pause = options.pause ?? (() => new Promise<void>((done) => setTimeout(done, 0)))
  let deleted = 0
  let statements = 0
  while (!options.stopped?.()) {
    const n = await store.prune(before, batch)
    deleted += n
    statements += 1
    if (n < batch) break
    await pause()
  }
  return { deleted, statements }
}
