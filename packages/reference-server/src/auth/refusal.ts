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
  | 'reauthentication_required'
  | 'store_unavailable'

/**
 * A failed check, as data: what the protocol answers (status, code, message, and `userEnabled: false` for a
 * disabled user). Every framework answers it with `refusalResponse` (`error-response.ts`).
 */
export interface Refusal {
  readonly ok: false
  readonly status: 401 | 403 | 503
  readonly code: RefusalCode
  readonly message: string
  /** Present, false, only for `user_disabled`: the response's top-level `user_enabled: false`. */
  readonly userEnabled?: false
  /** For `reauthentication_required`: the most seconds since the sign-in the route accepts. */
  readonly maxAge?: number
  /** For `store_unavailable`: the store's error, for the server's log (never for the client). */
  readonly cause?: unknown
  /**
   * Headers of the refusal's own: a token signed with a key the keyring no longer holds is answered
   * `WWW-Authenticate: Bearer error="invalid_token", error_description="the signing key was retired"`.
   */
  readonly headers?: Readonly<Record<string, string>>
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

/** The challenge of a token signed with a key that was retired (or never held): RFC 6750's description. */
export const RETIRED_KEY_CHALLENGE =
  'Bearer error="invalid_token", error_description="the signing key was retired"'

/** One shared, frozen value per code: refusing allocates nothing. */
export const refusals = {
  missing_token: refusal('missing_token'),
  malformed_token: refusal('malformed_token'),
  invalid_token: refusal('invalid_token'),
  token_expired: refusal('token_expired'),
  session_revoked: refusal('session_revoked'),
  user_disabled: refusal('user_disabled'),
  forbidden: refusal('forbidden'),
  /** `token_expired` for a token whose `kid` names no key of the ring: the client refreshes once. */
  retired_key: Object.freeze({
    ...refusal('token_expired'),
    headers: Object.freeze({ 'WWW-Authenticate': RETIRED_KEY_CHALLENGE }),
  }),
} satisfies Record<
  Exclude<RefusalCode, 'store_unavailable' | 'reauthentication_required'> | 'retired_key',
  Refusal
>

const stale = new Map<number, Refusal>()

/**
 * The refusal of a sign-in older than `maxAge` seconds: one shared frozen value per max age (a server has
 * as many as its routes name).
 */
export function reauthenticationRequired(maxAge: number): Refusal {
  let refused = stale.get(maxAge)
  if (!refused) {
    refused = Object.freeze({ ...refusal('reauthentication_required'), maxAge })
    stale.set(maxAge, refused)
  }
  return refused
}

/** The store could not be reached on a cache miss: 503, never a verdict built on stale data. */
export const storeUnavailable = (cause: unknown): Refusal => refusal('store_unavailable', cause)

/**
 * The throwing form, for routes whose errors go through the app's error handler: an `ApiError`, or for
 * `store_unavailable` the store's own error (which the handler logs and answers 503).
 */
export function refusalError(refused: Refusal): unknown {
  if (refused.code === 'store_unavailable') return refused.cause
  return apiError(refused.code, {
    ...(refused.headers && { headers: { ...refused.headers } }),
    ...(refused.maxAge !== undefined && { maxAge: refused.maxAge }),
  })
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
