import { seconds } from '../config.js'
import type { LogEntry } from '../log.js'
import type { Metrics } from '../metrics.js'
import { PRUNE_BATCH, pruneInBatches } from '../store/prune.js'
import type { Store } from '../store/types.js'
import type { Env } from './env.js'

/** Sessions that ended (or expired) this long ago are deleted, with their refresh-token hashes. */
export const PRUNE_RETENTION_MS = 86_400_000
/**
 * Outbox entries are read by every instance within a poll (auth/outbox-relay.ts), or looked for a minute
 * at most when one is missing: older ones are of use to no one, and go with the sessions' prune.
 */
export const OUTBOX_RETENTION_MS = 3_600_000
/** The first run, this soon after start: a process restarted more often than the interval still prunes. */
export const FIRST_PRUNE_AFTER_MS = 30_000

/** LEASH_PRUNE_INTERVAL: seconds between prunes (default 3600). */
export const pruneIntervalFrom = (env: Env) => seconds(env, 'LEASH_PRUNE_INTERVAL', 3600, 7 * 86400) * 1000

/**
 * Prunes `FIRST_PRUNE_AFTER_MS` after start (or after `intervalMs`, if shorter), then every `intervalMs`,
 * in batches that yield to the event loop; a run still going when the next is due is not doubled.
 */
export function schedulePruning(options: {
  store: Store
  intervalMs: number
  /** Audit events older than this (ms) are pruned too, after the sessions; none when not given. */
  auditRetentionMs?: number
  log: (entry: LogEntry) => void
  /** Counts a failed run (`leash_store_errors_total{operation="prune"}`). */
  metrics?: Pick<Metrics, 'storeError'>
  firstAfterMs?: number
  batch?: number
  now?: () => number
}): { stop(): void } {
  const { store, intervalMs, log } = options
  const now = options.now ?? Date.now
  let stopped = false
  let running = false
  const run = async () => {
    if (running || stopped) return
    running = true
    const started = performance.now()
    try {
      const batches = {
        batch: options.batch ?? PRUNE_BATCH,
        pause: () => new Promise<void>((done) => setImmediate(done)),
        stopped: () => stopped,
      }
      const sessions = await pruneInBatches(store, now() - PRUNE_RETENTION_MS, batches)
      const { auditRetentionMs } = options
      const events =
        auditRetentionMs === undefined
          ? { deleted: 0, statements: 0 }
          : await pruneInBatches({ prune: store.pruneEvents }, now() - auditRetentionMs, batches)
      const outbox = await pruneInBatches({ prune: store.pruneOutbox }, now() - OUTBOX_RETENTION_MS, batches)
      if (sessions.deleted + events.deleted + outbox.deleted > 0)
        log({
          msg: 'pruned',
          sessions: sessions.deleted,
          events: events.deleted,
          outbox: outbox.deleted,
          statements: sessions.statements + events.statements + outbox.statements,
          ms: Math.round(performance.now() - started),
        })
    } catch (error) {
      options.metrics?.storeError('prune')
      log({ level: 'error', msg: 'prune failed', error: String(error) })
    } finally {
      running = false
    }
  }
  let interval: ReturnType<typeof setInterval> | undefined
  const first = setTimeout(
    () => {
      void run()
      interval = setInterval(() => void run(), intervalMs)
      interval.unref()
    },
    Math.min(options.firstAfterMs ?? FIRST_PRUNE_AFTER_MS, intervalMs),
  )
  first.unref()
  return {
    stop() {
      stopped = true
      clearTimeout(first)
      clearInterval(interval)
    },
  }
}
