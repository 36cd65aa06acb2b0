import type { ErrorBody, ErrorCode, ErrorDetail, ErrorStatus } from '@leash/protocol'
import type { Refusal, RefusalCode } from './auth/refusal.js'
import { causeText, type LogEntry } from './log.js'
import { limitedFor } from './log-limit.js'

/** What an error answer is made from: an `ApiError` and a `Refusal` alike. */
export interface Failure<C extends ErrorCode = ErrorCode> {
  readonly status: ErrorStatus<C>
  readonly code: C
  readonly message: string
  /** With `invalid_request`: one entry per offending field path. */
  readonly details?: ErrorDetail[] | undefined
  /** Headers of the failure's own (`Retry-After` of `rate_limited` and `server_busy`). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** With `reauthentication_required`: the route's max age (s), told in `WWW-Authenticate`. */
  readonly maxAge?: number | undefined
}

/**
 * The `WWW-Authenticate` challenge of a 401: RFC 6750's `invalid_request` without a token, RFC 9470's
 * `insufficient_user_authentication` (with the `max_age` the route asks for) for a sign-in too old, else
 * `invalid_token`.
 */
function challenge({ code, maxAge }: Failure): string {
  if (code === 'missing_token') return 'Bearer error="invalid_request"'
  if (code !== 'reauthentication_required') return 'Bearer error="invalid_token"'
  return `Bearer error="insufficient_user_authentication"${maxAge === undefined ? '' : `, max_age=${maxAge}`}`
}

/** An error as the protocol answers it, for any framework: status, headers and JSON body. */
export interface ErrorResponse<C extends ErrorCode = ErrorCode> {
  status: ErrorStatus<C>
  headers: Record<string, string>
  body: ErrorBody<C>
}

/** A refusal as the protocol answers it, for any framework: status, headers and JSON body. */
export interface RefusalResponse {
  status: 401 | 403 | 503
  headers: Record<string, string>
  body: { error: { code: RefusalCode; message: string }; user_enabled?: false }
}

/**
 * The one place the protocol's error answer is spelled: the failure's own headers, `WWW-Authenticate` on
 * every 401 (see `challenge`; a refusal's own, with its `error_description`, when it has one), `Retry-After: 1` on `store_unavailable`, and the
 * top-level `user_enabled: false` with `user_disabled`. Hono's routes, the Express and Fastify adapters and
 * an app of any other framework send exactly this.
 */
export function errorResponse<C extends ErrorCode>(failure: Failure<C>): ErrorResponse<C> {
  const { status, code, message, details } = failure
  const headers: Record<string, string> = { ...failure.headers }
  if (status === 401) headers['WWW-Authenticate'] ??= challenge(failure)
  if (code === 'store_unavailable') headers['Retry-After'] ??= '1'
  const error = { code, message, ...(details && { details }) }
  return { status, headers, body: code === 'user_disabled' ? { error, user_enabled: false } : { error } }
}

/**
 * What to answer for a refusal of `verify` (see `errorResponse`).
 * @example
 * const result = await verifier.verify(req.headers.authorization)
 * if (!result.ok) {
 *   const { status, headers, body } = refusalResponse(result)
 *   return res.status(status).set(headers).json(body)
 * }
 */
export const refusalResponse = (refused: Refusal): RefusalResponse => errorResponse(refused)

/** Logs a store that could not be reached, at `warn`: the request's path and the store's own error. */
export function logStoreOutage(log: (entry: LogEntry) => void, path: string, error: unknown) {
  // One line per outage (and a count every 10 s), not one per request.
  limitedFor(log)('store unavailable', {
    level: 'warn',
    msg: 'store unavailable',
    path,
    error: causeText(error),
  })
}

/**
 * What every framework's `requireSession` answers for a refusal: a store outage logged first (the client
 * never sees its cause), then `refusalResponse`.
 */
export function answerRefusal(refused: Refusal, path: string, log: ((entry: LogEntry) => void) | undefined) {
  if (refused.code === 'store_unavailable' && log) logStoreOutage(log, path, refused.cause)
  return refusalResponse(refused)
}
