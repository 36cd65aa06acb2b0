import type { ErrorCode } from '@leash/protocol'

/** Codes the client raises itself, never sent by the server. */
export type ClientErrorCode = 'network_error' | 'logged_out' | 'no_session' | 'disposed' | 'http_error'

/**
 * Every code a `LeashError` may carry: each the server can answer (`@leash/protocol`'s table, imported as a
 * type, so it costs the bundle nothing) and the client's own.
 */
export type LeashErrorCode = ErrorCode | ClientErrorCode

/**
 * The one error class of the SDK. Assert on `code`, never on `message`; no message contains a token.
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
}

/** Turns an axios failure (or anything thrown) into a `LeashError` carrying the server's code. */
export function toLeashError(error: unknown): LeashError {
  if (error instanceof LeashError) return error
  const res = (error as HttpFailure | null)?.response
  if (!res) return new LeashError('network_error', undefined, { cause: error })
  const code = (res.data as { error?: { code?: unknown } } | undefined)?.error?.code
  return new LeashError(typeof code === 'string' ? (code as LeashErrorCode) : 'http_error', res.status, {
    cause: error,
  })
}
