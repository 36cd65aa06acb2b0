// `@leash/sdk/account`: the account-recovery calls. They need no session, so they live outside the core
// (whose bundle budget they would cost) and take only what they send with.
import axios, { type AxiosInstance } from 'axios'
import { toLeashError } from './errors.js'

/** The account calls: each resolves once the server accepted it, or rejects with a `LeashError`. */
export interface LeashAccount {
  /**
   * Asks for a password-reset email. The server answers the same whether or not the address names an
   * account, so this resolves either way. Rejects `rate_limited` (429), `invalid_request` (400).
   */
  requestPasswordReset(email: string): Promise<void>
  /**
   * Sets a new password with the token from the reset email. The server then ends every session of the
   * user, on every device; this client's own state is left alone (the calls know no session): a client that
   * still holds one of those sessions meets `session_revoked` at its next request or refresh and ends as
   * `expired`, as after any revocation. Rejects `invalid_reset_token` (400), `invalid_request`, `rate_limited`.
   */
  resetPassword(token: string, password: string): Promise<void>
  /** Confirms an email address with the token from the verification email. Rejects `invalid_verification_token` (400), `rate_limited`. */
  verifyEmail(token: string): Promise<void>
}

/** Where the calls go: `leash.http`'s base URL and adapter, unless told otherwise. */
export interface LeashAccountOptions {
  /** Where the server's `/auth/*` is, when it is not `leash.http`'s base URL (the client's `authBaseURL`). */
  authBaseURL?: string
}

/**
 * The account calls, sent where `leash` sends its `/auth/*` calls: `leash.http`'s base URL (or `authBaseURL`)
 * and adapter, without a token or the app's interceptors, and never after a redirect (it would re-send a
 * password).
 * @example
 * const account = createLeashAccount(leash)
 * await account.resetPassword(new URLSearchParams(location.search).get('token')!, password)
 */
export function createLeashAccount(
  leash: { readonly http: AxiosInstance },
  options: LeashAccountOptions = {},
): LeashAccount {
  const defaults = leash.http.defaults
  const auth = axios.create({
    baseURL: options.authBaseURL ?? defaults.baseURL ?? '/',
    adapter: defaults.adapter,
    maxRedirects: 0,
  })
  const post = (path: string, data: object) =>
    auth.post(path, data).then(
      () => undefined,
      (error: unknown) => {
        throw toLeashError(error)
      },
    )
  return {
    requestPasswordReset: (email) => post('/auth/password/forgot', { email }),
    resetPassword: (token, password) => post('/auth/password/reset', { token, password }),
    verifyEmail: (token) => post('/auth/email/verify', { token }),
  }
}
