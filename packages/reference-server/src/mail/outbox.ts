import type { LogEntry } from '../log.js'
import type { Mailer, MailMessage } from './mailer.js'

/** What a queued mail is, for the log: never its address, its link or its token. */
export interface MailLabel {
  /** `verify_email` or `reset_password`. */
  kind: string
  /** The user it is for. */
  user: string
  /** The token the mail carries: scrubbed from any error text before that is logged. */
  secret: string
}

export interface OutboxOptions {
  mailer: Mailer
  log: (entry: LogEntry) => void
  /** Tries per mail (default 5). */
  attempts?: number
  /** The wait before the second try (ms, default 1000); it doubles at each further try. */
  backoffMs?: number
  /** Mails that may wait at once (default 1000); beyond, a mail is dropped and logged. */
  maxQueued?: number
  /** A try that has not settled by then counts as failed (ms, default 30 000): a hung server is retried. */
  timeoutMs?: number
}

export interface Outbox {
  /** Queues the mail and returns at once: the send, and its retries, happen after. */
  enqueue(message: MailMessage, label: MailLabel): void
  /** Resolves when every queued mail was sent or given up (for tests and shutdown). */
  idle(): Promise<void>
  /** Stops retrying: mails still waiting are dropped. */
  close(): void
}

const REDACTED = '[redacted]'

/**
 * Sends mail off the request's path, with retries: a try that fails is logged at `error` (the user, the
 * kind, the try, the error with the token and link scrubbed) and tried again after a backoff that
 * doubles; the last failure is logged as given up. Nothing is ever thrown to a caller, so no answer can
 * differ by whether a mail went out.
 */
export function createOutbox(options: OutboxOptions): Outbox {
  const { mailer, log } = options
  const attempts = options.attempts ?? 5
  const backoffMs = options.backoffMs ?? 1000
  const maxQueued = options.maxQueued ?? 1000
  const timeoutMs = options.timeoutMs ?? 30_000
  const timers = new Set<ReturnType<typeof setTimeout>>()
  let queued = 0
  let closed = false
  let waiters: Array<() => void> = []

  const settle = () => {
    queued = Math.max(0, queued - 1)
    if (queued > 0) return
    for (const done of waiters) done()
    waiters = []
  }
  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      run()
    }, ms)
    ;(timer as { unref?: () => void }).unref?.()
    timers.add(timer)
    return () => {
      clearTimeout(timer)
      timers.delete(timer)
    }
  }
  const scrub = (text: string, label: MailLabel) => text.split(label.secret).join(REDACTED)

  const attempt = (message: MailMessage, label: MailLabel, n: number): void => {
    if (closed) {
      settle()
      return
    }
    let sending: Promise<void>
    try {
      sending = Promise.resolve(mailer.send(message))
    } catch (error) {
      sending = Promise.reject(error)
    }
    let stop = () => {}
    const timeout = new Promise<never>((_, fail) => {
      stop = later(timeoutMs, () => fail(new Error(`no answer in ${timeoutMs} ms`)))
    })
    const sent = () => {
      stop()
      settle()
    }
    Promise.race([sending, timeout]).then(sent, (error: unknown) => {
      stop()
      const last = n >= attempts
      log({
        level: 'error',
        msg: last ? 'mail given up' : 'mail not sent; retrying',
        kind: label.kind,
        user: label.user,
        attempt: n,
        error: scrub(String(error), label),
      })
      if (last || closed) settle()
      else later(backoffMs * 2 ** (n - 1), () => attempt(message, label, n + 1))
    })
  }

  return {
    enqueue(message, label) {
      if (closed) return
      if (queued >= maxQueued) {
        log({ level: 'error', msg: 'mail dropped: the outbox is full', kind: label.kind, user: label.user })
        return
      }
      queued += 1
      // Not awaited by anyone: a slow or hanging mailer never holds an answer.
      queueMicrotask(() => attempt(message, label, 1))
    },
    idle: () => (queued === 0 ? Promise.resolve() : new Promise((done) => waiters.push(done))),
    close() {
      closed = true
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      queued = 0
      for (const done of waiters) done()
      waiters = []
    },
  }
}
