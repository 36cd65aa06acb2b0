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
  | 'last_admin'
  | 'not_found'
  | 'method_not_allowed'
  | 'store_unavailable'
  | 'server_busy'
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

/**
 * Every password-hashing slot and queue place is taken: answered 503 `server_busy`, with `Retry-After`
 * (`retryAfter`, seconds) estimated from how long the work ahead takes.
 */
export class ServerBusyError extends Error {
  constructor(readonly retryAfter: number) {
    super('server busy: password hashing is at capacity')
    this.name = 'ServerBusyError'
  }
}

/** A unique constraint was hit (a username that exists already). */
export class ConflictError extends Error {
  constructor(what: string) {
    super(`${what} already exists`)
    this.name = 'ConflictError'
  }
}

/**
 * The store refused a value as text it cannot hold (PostgreSQL: NUL, SQLSTATE 22021, or a character the
 * database encoding lacks, 22P05). Input checks refuse these first; this is the last line, answered with
 * 400 `invalid_request`, so no client string can ever produce a 500.
 */
export class UnstorableTextError extends Error {
  constructor(cause: unknown) {
    super('the store cannot hold this text', { cause })
    this.name = 'UnstorableTextError'
  }
}

/** The change would leave no enabled admin (`updateUser` with `keepAnAdmin`); nothing was changed. */
export class LastAdminError extends Error {
  constructor() {
    super('the change would leave no enabled admin')
    this.name = 'LastAdminError'
  }
}
