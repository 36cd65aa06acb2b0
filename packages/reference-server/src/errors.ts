import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** Every code the server can answer with; the SDK mirrors this union. */
export type ApiErrorCode =
  | 'unsupported_media_type'
  | 'invalid_json'
  | 'payload_too_large'
  | 'invalid_request'
  | 'missing_token'
  | 'malformed_token'
  | 'invalid_token'
  | 'token_expired'
  | 'session_revoked'
  | 'session_expired'
  | 'invalid_refresh_token'
  | 'refresh_token_reused'
  | 'invalid_credentials'
  | 'user_disabled'
  | 'username_taken'
  | 'registration_closed'
  | 'rate_limited'
  | 'forbidden'
  | 'origin_not_allowed'
  | 'user_not_found'
  | 'not_found'
  | 'method_not_allowed'
  | 'store_unavailable'
  | 'internal_error'

/** One field that broke the request schema. */
export interface ErrorDetail {
  path: string
  message: string
}

/** A failure the client is told about: a status, a stable code and a sentence. Never carries a token. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode
  readonly code: ApiErrorCode
  readonly details: ErrorDetail[] | undefined
  readonly headers: Record<string, string> | undefined

  constructor(
    status: ContentfulStatusCode,
    code: ApiErrorCode,
    message: string,
    extra: { details?: ErrorDetail[]; headers?: Record<string, string> } = {},
  ) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = extra.details
    this.headers = extra.headers
  }
}

/** The store (database) could not be reached: answered with 503, never with a token built on stale data. */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super('store unavailable', { cause })
    this.name = 'StoreUnavailableError'
  }
}

/** A unique constraint was hit (a username that exists already). */
export class ConflictError extends Error {
  constructor(what: string) {
    super(`${what} already exists`)
    this.name = 'ConflictError'
  }
}
