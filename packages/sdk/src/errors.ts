import type { ErrorCode } from '@leash/protocol'

/** Codes the client raises itself, never sent by the server. */
export type ClientErrorCode = 'network_error' | 'logged_out' | 'no_session' | 'disposed' | 'http_error'

/**
 * Every code a `LeashError` may carry: each the server can answer (`@leash/protocol`'s table, imported as a
 * type, so it costs the bundle nothing) and the client's own.
 */
export type LeashErrorCode = ErrorCode | ClientErrorCode

/**
 * The one error class of the SDK. Assert on `code`, never on `message`. Nothing reachable from it holds a
 * password or a token: the `cause` that `toLeashError` gives is a scrubbed copy of the failure.
 * @example if (e instanceof LeashError && e.code === 'invalid_credentials') showLoginError()
 */
export class LeashError extends Error {
  override readonly name = 'LeashError'
  declare readonly code: LeashErrorCode
  /** HTTP status of the response that caused it, when there was one. */
  declare readonly status?: number
  constructor(code: LeashErrorCode, status?: number, options?: { cause?: unknown }) {
    super(code, options)
    this.code = code
    this.status = status
  }
}

interface HttpFailure {
  response?: { status: number; data?: unknown }
  config?: { method?: string; url?: string }
  name?: string
  message?: string
}

/**
 * Turns an axios failure (or anything thrown) into a `LeashError` carrying the server's code and status. Its
 * cause is a new plain `Error`, never the failure itself: axios keeps the request on it (`config.data`: the
 * passwords of login, register and a password change, the refresh token; `config.headers` and `request`: the
 * access token), and `console.error(e)` prints the whole cause chain. Kept: the failure's name and message
 * (axios's own texts: the status code, "Network Error", a timeout; fetch's "Failed to fetch"), the method and
 * the URL without its query (Leash's own URLs carry no secret).
 */
export function toLeashError(error: unknown): LeashError {
  if (error instanceof LeashError) return error
  const { response: res, config, name, message } = (error ?? {}) as HttpFailure
  const code = (res?.data as { error?: { code?: unknown } } | undefined)?.error?.code
  return new LeashError(
    res ? (typeof code === 'string' ? (code as LeashErrorCode) : 'http_error') : 'network_error',
    res?.status,
    {
      cause: Object.assign(new Error(message), {
        name,
        method: config?.method,
        url: config?.url?.split('?')[0],
      }),
    },
  )
}
