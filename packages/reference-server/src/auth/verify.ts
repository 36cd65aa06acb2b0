import type { Role } from '@leash/protocol'
import type { AccessClaims } from '../tokens/claims.js'
import type { Refusal } from './refusal.js'
import type { PublicUser } from './views.js'

/** Who a request speaks for, once every check has passed. */
export interface Principal {
  /** The user's public view, current as of this request (a role change is seen at once). */
  readonly user: PublicUser
  readonly sessionId: string
  /** The access token's claims, as this server signed them. */
  readonly claims: Readonly<AccessClaims>
}

/** A verdict on an Authorization header: the principal, or what the protocol answers instead. */
export type VerifyResult = { readonly ok: true; readonly principal: Principal } | Refusal

export interface VerifyOptions {
  /** Only users of this role (or these roles) pass; anyone else is refused 403 `forbidden`. */
  role?: Role | readonly Role[]
  /**
   * Step-up: only a sign-in (or `POST /auth/reauthenticate`) at most this many seconds old passes, by the
   * token's `auth_time`; an older one, or a token without `auth_time`, is refused 401
   * `reauthentication_required` (after every other check). A whole number of seconds ≥ 0.
   */
  maxAge?: number
}

/**
 * The protocol's check of an `Authorization` header, in its order: missing or malformed token, header,
 * claims, user, signature, expiry, issuer and audience, enabled, session; then `options.role`, then
 * `options.maxAge`. Never
 * rejects for anything a client sends; a store that cannot be reached gives 503 `store_unavailable`.
 */
export type Verify = (
  authorization: string | null | undefined,
  options?: VerifyOptions,
) => Promise<VerifyResult>
