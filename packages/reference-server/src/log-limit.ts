import type { LogEntry } from './log.js'

/** How often a condition that keeps happening is summed up in one line. */
export const LOG_SUMMARY_INTERVAL_MS = 10_000

type Log = (entry: LogEntry) => void
/** Logs `entry` under `key`: the first occurrence at once, the ones that follow as a count. */
export type LimitedLog = (key: string, entry: LogEntry) => void

/**
 * One line per condition: its first occurrence is logged as it is; while it goes on, at most one summary
 * line per `intervalMs` (the latest entry with `repeated`: how many were not logged); after an interval
 * with none, the next is a first occurrence again. A 5 s Redis outage wrote ~870 error lines per instance.
 */
export function limitLog(log: Log, intervalMs = LOG_SUMMARY_INTERVAL_MS): LimitedLog {
  const conditions = new Map<string, { count: number; entry: LogEntry }>()
  return (key, entry) => {
    const seen = conditions.get(key)
    if (seen) {
      seen.count += 1
      seen.entry = entry
      return
    }
    log(entry)
    const state = { count: 0, entry }
    conditions.set(key, state)
    const timer = setInterval(() => {
      if (state.count === 0) {
        clearInterval(timer)
        conditions.delete(key)
        return
      }
      log({ ...state.entry, repeated: state.count, interval_s: intervalMs / 1000 })
      state.count = 0
    }, intervalMs)
    ;(timer as { unref?: () => void }).unref?.()
  }
}

const shared = new WeakMap<Log, LimitedLog>()
/** The one limiter of a log function, so every part of an app that writes to it shares the counts. */
export function limitedFor(log: Log): LimitedLog {
  let limited = shared.get(log)
  if (!limited) {
    limited = limitLog(log)
    shared.set(log, limited)
  }
  return limited
}
