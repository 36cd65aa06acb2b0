import { type AuditEvent, type AuditEventType, auditEventTable, type ErrorCode } from '@leash/protocol'
import type { LogEntry } from '../log.js'
import { countEvent, type Metrics, noMetrics } from '../metrics.js'
import type { Store } from '../store/types.js'
import { randomId } from '../tokens/random.js'

/** Where a request came from and who made it, for the events it causes. */
export interface AuditContext {
  address: string | null
  userAgent: string | null
  /** The user who caused it (the caller, or an admin); null when anonymous or unknown. */
  actor: string | null
}

/** No request: an action taken by code (`app.admin`, the msw helpers). */
export const noContext: AuditContext = { address: null, userAgent: null, actor: null }

/** What an event says beyond its type: the fields `auditEventTable` names for it. */
export interface EventFields {
  user?: string | null
  actor?: string | null
  session?: string | null
  code?: ErrorCode | null
}

/** Events with no refusal to write are shipped to `onEvent` at once; a batch is written at this size. */
export const AUDIT_BATCH = 100
/** Refusals wait at most this long in the buffer (ms). */
export const AUDIT_FLUSH_MS = 1000
/**
 * Batches that may wait for the store at once. Beyond, a batch is dropped (and logged, with its size):
 * a flood of refusals against a slow store must not grow the process's memory without bound.
 */
export const AUDIT_MAX_PENDING = 20

/**
 * The audit trail's writer. A change's events are built by `event` and handed to the store with the change
 * (one transaction); once it commits, `committed` ships them to `onEvent`. A refusal that changed nothing
 * goes through `record`: buffered and written in batches (`AUDIT_BATCH` events or `AUDIT_FLUSH_MS`), off
 * the request's path. `onEvent`'s errors are logged, never thrown.
 */
export function createAudit(deps: {
  store: Store
  now: () => number
  log: (entry: LogEntry) => void
  onEvent?: (event: AuditEvent) => void | Promise<void>
  /** Counts each event as it is committed or recorded (see `countEvent`). */
  metrics?: Metrics
}) {
  const { store, now, log, onEvent } = deps
  const metrics = deps.metrics ?? noMetrics
  let buffer: AuditEvent[] = []
  let timer: ReturnType<typeof setTimeout> | undefined
  let writing: Promise<void> = Promise.resolve()
  let pending = 0

  const ship = (event: AuditEvent) => {
    try {
      Promise.resolve(onEvent?.(event)).catch((error: unknown) => failed(event, error))
    } catch (error) {
      failed(event, error)
    }
  }
  const failed = (event: AuditEvent, error: unknown) =>
    log({ level: 'error', msg: 'onEvent failed', type: event.type, id: event.id, error: String(error) })

  /** Writes what the buffer holds; resolves when it (and every write before it) is done. */
  const flush = (): Promise<void> => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    const batch = buffer
    buffer = []
    if (batch.length > 0 && pending >= AUDIT_MAX_PENDING) {
      metrics.storeError('audit')
      log({ level: 'error', msg: 'audit events lost', count: batch.length, error: 'the store is behind' })
    } else if (batch.length > 0) {
      pending += 1
      writing = writing.then(() =>
        store
          .recordEvents(batch)
          .then(
            () => batch.forEach(ship),
            (error: unknown) => {
              metrics.storeError('audit')
              log({ level: 'error', msg: 'audit events lost', count: batch.length, error: String(error) })
            },
          )
          .finally(() => {
            pending -= 1
          }),
      )
    }
    return writing
  }

  return {
    /** A new event of `type` at now, from the request's context. */
    event(type: AuditEventType, context: AuditContext, fields: EventFields = {}): AuditEvent {
      return {
        id: randomId(),
        time: now(),
        type,
        version: auditEventTable[type].version,
        user: fields.user ?? null,
        actor: fields.actor === undefined ? context.actor : fields.actor,
        session: fields.session ?? null,
        address: context.address,
        user_agent: context.userAgent,
        code: fields.code ?? null,
      }
    },
    /** After the transaction that wrote them committed. */
    committed(events: readonly AuditEvent[]) {
      for (const event of events) countEvent(metrics, event)
      if (onEvent) events.forEach(ship)
    },
    /** A refusal that changed nothing: buffered, written soon in a batch (counted now). */
    record(event: AuditEvent) {
      countEvent(metrics, event)
      buffer.push(event)
      if (buffer.length >= AUDIT_BATCH) void flush()
      else if (timer === undefined) {
        timer = setTimeout(() => void flush(), AUDIT_FLUSH_MS)
        // On Node, a pending batch does not keep the process alive (closing flushes it).
        ;(timer as { unref?: () => void }).unref?.()
      }
    },
    flush,
  }
}

export type Audit = ReturnType<typeof createAudit>
