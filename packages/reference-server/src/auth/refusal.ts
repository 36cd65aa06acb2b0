import { errorTable } from '@leash/protocol'
import { apiError } from '../errors.js'

/** Why a request was turned away before reaching its handler. */
export type RefusalCode =
  | 'missing_token'
  | 'malformed_token'
  | 'invalid_token'
  | 'token_expired'
  | 'user_disabled'
  | 'session_revoked'
  | 'forbidden'
  | 'store_unavailable'

/**
 * A failed check, as data: what the protocol answers (status, code, message, and `userEnabled: false` for a
 * disabled user). Framework adapters render it with `refusalResponse`.
 */
export interface Refusal {
  readonly ok: false
  readonly status: 401 | 403 | 503
  readonly code: RefusalCode
  readonly message: string
  /** Present, false, only for `user_disabled`: the response's top-level `user_enabled: false`. */
  readonly userEnabled?: false
  /** For `store_unavailable`: the store's error, for the server's log (never for the client). */
  readonly cause?: unknown
}

/** The refusal of `code`, with the protocol's status and message (`@leash/protocol`'s table). */
const refusal = (code: RefusalCode, cause?: unknown): Refusal => {
  const { status, message } = errorTable[code]
  return Object.freeze({
    ok: false,
    status,
    code,
    message,
    ...(code === 'user_disabled' && { userEnabled: false }),
    ...(cause !== undefined && { cause }),
  })
}

/** One shared, frozen value per code: refusing allocates nothing. */
export const refusals = {
  missing_token: refusal('missing_token'),
  malformed_token: refusal('malformed_token'),
  invalid_token: refusal('invalid_token'),
  token_expired: refusal('token_expired'),
  session_revoked: refusal('session_revoked'),
  user_disabled: refusal('user_disabled'),
  forbidden: refusal('forbidden'),
} satisfies Record<Exclude<RefusalCode, 'store_unavailable'>, Refusal>

/** The store could not be reached on a cache miss: 503, never a verdict built on stale data. */
export const storeUnavailable = (cause: unknown): Refusal => refusal('store_unavailable', cause)

/** The protocol's `WWW-Authenticate` for a 401 of this code. */
export const wwwAuthenticate = (code: string) =>
  `Bearer error="${code === 'missing_token' ? 'invalid_request' : 'invalid_token'}"`

/** A response as the protocol spells it, for any framework: status, headers and JSON body. */
export interface RefusalResponse {
  status: 401 | 403 | 503
  headers: Record<string, string>
  body: { error: { code: RefusalCode; message: string }; user_enabled?: false }
}

/**
 * What to answer for a refusal: `WWW-Authenticate` on every 401, `Retry-After: 1` on 503, and the top-level
 * `user_enabled: false` on 403 `user_disabled`. Framework adapters send exactly this.
 * @example
 * const result = await verifier.verify(req.headers.authorization)
 * if (!result.ok) {
 *   const { status, headers, body } = refusalResponse(result)
 *   return res.status(status).set(headers).json(body)
 * }
 */
export function refusalResponse(refused: Refusal): RefusalResponse {
  const headers: Record<string, string> = {}
  if (refused.status === 401) headers['WWW-Authenticate'] = wwwAuthenticate(refused.code)
  if (refused.status === 503) headers['Retry-After'] = '1'
  const error = { code: refused.code, message: refused.message }
  return {
    status: refused.status,
    headers,
    body: refused.userEnabled === false ? { error, user_enabled: false } : { error },
  }
}

/**
 * The throwing form, for routes whose errors go through the app's error handler: an `ApiError`, or for
 * `store_unavailable` the store's own error (which the handler logs and answers 503).
 */
export function refusalError(refused: Refusal): unknown {
  if (refused.code === 'store_unavailable') return refused.cause
  return apiError(refused.code)
}

type Unauthorized =
  | 'missing_token'
  | 'malformed_token'
  | 'invalid_token'
  | 'token_expired'
  | 'session_revoked'

/** A 401 of the bearer checks, to throw. */
export const unauthorized = (code: Unauthorized) => apiError(code)

/** The 403 every response concerning a disabled user carries, to throw. */
export const userDisabled = () => apiError('user_disabled')
