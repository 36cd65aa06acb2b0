import { type AuditEvent, type AuditEventType, type ErrorCode, SESSION_CAP_ACTOR } from '@leash/protocol'

/** Why sessions were ended, as `leash_revocations_total` labels it. */
export type RevocationReason =
  | 'session'
  | 'session_cap'
  | 'logout_all'
  | 'password_change'
  | 'role_change'
  | 'user_disabled'
  | 'admin_user'
  | 'revoke_all'
  | 'reuse'

/** Where the store failed, as `leash_store_errors_total` labels it. */
export type StoreOperation = 'request' | 'audit' | 'prune'

/** Where the bus failed, as `leash_bus_errors_total` labels it. */
export type BusOperation = 'publish' | 'publisher' | 'subscriber'

/**
 * Where the server reports what it does, for a metrics system to count (the Node server's is Prometheus,
 * `prom-client`; the portable core knows none). One typed method per kind of fact, so that a sink can bind
 * its series once and a request costs it no label lookup it did not ask for. Every method must be cheap
 * and must not throw: they are called on the request's path.
 */
export interface Metrics {
  /** A sign-in: `null` when it started a session, else the refusal's code. */
  signIn(code: ErrorCode | null): void
  /** A refresh: `null` when a new token was issued, else the refusal's code (`refresh_token_reused` too). */
  refresh(code: ErrorCode | null): void
  /** A spent refresh token came back: its whole family was revoked. */
  reuseDetected(): void
  /** Sessions were ended, by `reason` (one count per decision, however many sessions it ended). */
  revoked(reason: RevocationReason): void
  /** An error answer of the app, by its code (every one: 4xx refusals and 5xx alike). */
  refused(code: ErrorCode): void
  /** A request was answered: its route pattern (never the raw path), method, status and duration. */
  request(route: string, method: string, status: number, seconds: number): void
  /** A password hash got its slot after waiting `seconds` (0 when a slot was free). */
  hashWaited(seconds: number): void
  /** The hashing gate now: hashes running and hashes queued. */
  hashGate(running: number, queued: number): void
  storeError(operation: StoreOperation): void
  busError(operation: BusOperation): void
  /** An invalidation another instance published was applied here, `seconds` after it was sent. */
  revocationPropagated(seconds: number): void
}

const nothing = () => {}

/** The default: counts nothing, costs a call. */
export const noMetrics: Metrics = {
  signIn: nothing,
  refresh: nothing,
  reuseDetected: nothing,
  revoked: nothing,
  refused: nothing,
  request: nothing,
  hashWaited: nothing,
  hashGate: nothing,
  storeError: nothing,
  busError: nothing,
  revocationPropagated: nothing,
}

/** The audit events that end sessions, with the reason they are counted under. */
const revocations: Partial<Record<AuditEventType, RevocationReason>> = {
  'user.signed_out_everywhere': 'logout_all',
  'password.changed': 'password_change',
  'user.role_changed': 'role_change',
  'user.disabled': 'user_disabled',
  'user.sessions_revoked': 'admin_user',
  'sessions.revoked_all': 'revoke_all',
  'refresh.reuse_detected': 'reuse',
}

/**
 * Counts what an audit event records: the audit trail is the one place that knows a decision was made
 * (sign-ins, refused refreshes, reuse, revocations), so the counters are derived from it rather than
 * from a second set of calls beside each decision.
 */
export function countEvent(metrics: Metrics, event: AuditEvent): void {
  switch (event.type) {
    case 'login.succeeded':
      metrics.signIn(null)
      return
    case 'login.failed':
      if (event.code !== null) metrics.signIn(event.code)
      return
    case 'refresh.failed':
      if (event.code !== null) metrics.refresh(event.code)
      return
    case 'refresh.reuse_detected':
      metrics.refresh('refresh_token_reused')
      metrics.reuseDetected()
      metrics.revoked('reuse')
      return
    case 'session.revoked':
      metrics.revoked(event.actor === SESSION_CAP_ACTOR ? 'session_cap' : 'session')
      return
  }
  const reason = revocations[event.type]
  if (reason !== undefined) metrics.revoked(reason)
}
