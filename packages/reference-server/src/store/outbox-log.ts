import type { Invalidation } from '../bus/types.js'
import type { OutboxEntry } from './types.js'

const copy = (e: OutboxEntry): OutboxEntry => ({ ...e, message: { ...e.message } })

/** The memory store's outbox: entries numbered from 1, written by the change they announce (no await between). */
export function createOutboxLog() {
  const entries: OutboxEntry[] = []
  let seq = 0
  return {
    add(time: number, messages: readonly Invalidation[]): void {
      for (const message of messages) entries.push({ seq: ++seq, time, message: { ...message } })
    },
    seq: () => seq,
    after: (after: number, limit: number) =>
      entries
        .filter((e) => e.seq > after)
        .slice(0, limit)
        .map(copy),
    /** Deletes entries older than `before`, at most `limit` of them (the oldest first); returns how many. */
    prune(before: number, limit = Number.POSITIVE_INFINITY): number {
      const old = new Set(
        entries
          .filter((e) => e.time < before)
          .sort((a, b) => a.time - b.time || a.seq - b.seq)
          .slice(0, limit),
      )
      entries.splice(0, entries.length, ...entries.filter((e) => !old.has(e)))
      return old.size
    },
  }
}
