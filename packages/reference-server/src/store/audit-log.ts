import { ConflictError } from '../errors.js'
import type { AuditEvent, AuditQuery } from './types.js'

/** Whether `e` comes before the cursor in newest-first order: older, or as old with a lower id. */
export const olderThan = (e: AuditEvent, before: NonNullable<AuditQuery['before']>) =>
  e.time < before.time || (e.time === before.time && before.id !== null && e.id < before.id)

/**
 * The memory store's audit events. `check` throws, before the change it goes with is applied, when an id is
 * taken (as a database's key would), so a change and its events are applied together or not at all.
 */
export function createEventLog() {
  const events: AuditEvent[] = []
  const ids = new Set<string>()
  return {
    check(batch: readonly AuditEvent[]) {
      const seen = new Set<string>()
      for (const e of batch) {
        if (ids.has(e.id) || seen.has(e.id)) throw new ConflictError('audit event')
        seen.add(e.id)
      }
    },
    add(batch: readonly AuditEvent[]) {
      for (const e of batch) {
        events.push({ ...e })
        ids.add(e.id)
      }
    },
    list({ user, type, before, limit }: AuditQuery): AuditEvent[] {
      return events
        .filter(
          (e) =>
            (user === undefined || e.user === user) &&
            (type === undefined || e.type === type) &&
            (before === undefined || olderThan(e, before)),
        )
        .sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
        .slice(0, limit)
        .map((e) => ({ ...e }))
    },
    /** Deletes events older than `before`, at most `limit` of them (the oldest first); returns how many. */
    prune(before: number, limit = Number.POSITIVE_INFINITY): number {
      const old = events
        .filter((e) => e.time < before)
        .sort((a, b) => a.time - b.time)
        .slice(0, limit)
      const gone = new Set(old)
      for (const e of old) ids.delete(e.id)
      events.splice(0, events.length, ...events.filter((e) => !gone.has(e)))
      return old.length
    },
  }
}
