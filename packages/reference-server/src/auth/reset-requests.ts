import type { LogEntry } from '../log.js'
import type { AuditContext } from './audit.js'

/** Requests that may wait at once; beyond, one is dropped (and logged). The rate limits keep it far off. */
export const MAX_RESET_REQUESTS = 1000

/**
 * The forgot-password requests, handled one at a time after their answer has gone: the answer does no
 * work that depends on the account (no lookup, no token, no mail), so its status, body and timing cannot
 * tell whether the address has one. A handler's failure (the store down) is logged, never answered.
 */
export function createResetRequests(
  handle: (email: string, context: AuditContext) => Promise<void>,
  log: (entry: LogEntry) => void,
) {
  const queue: Array<{ email: string; context: AuditContext }> = []
  let running: Promise<void> | null = null
  let timer: ReturnType<typeof setTimeout> | undefined
  let closed = false

  const drain = async () => {
    for (let next = queue.shift(); next !== undefined && !closed; next = queue.shift()) {
      try {
        await handle(next.email, next.context)
      } catch (error) {
        log({ level: 'error', msg: 'password reset request failed', error: String(error) })
      }
    }
  }
  const start = () => {
    timer = undefined
    running ??= drain().finally(() => {
      running = null
      if (queue.length > 0 && !closed) schedule()
    })
  }
  // A timer, not a microtask: the request's answer is written before any of this runs.
  const schedule = () => {
    if (timer !== undefined || running !== null) return
    timer = setTimeout(start, 0)
    ;(timer as { unref?: () => void }).unref?.()
  }

  return {
    enqueue(email: string, context: AuditContext) {
      if (closed) return
      if (queue.length >= MAX_RESET_REQUESTS) {
        log({ level: 'error', msg: 'password reset request dropped: the queue is full' })
        return
      }
      queue.push({ email, context })
      schedule()
    },
    /** Resolves when the queue is empty and nothing is being handled. */
    async idle() {
      while (queue.length > 0 || running !== null || timer !== undefined) {
        if (timer !== undefined) {
          clearTimeout(timer)
          start()
        }
        await running
      }
    },
    close() {
      closed = true
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
      queue.length = 0
    },
  }
}
