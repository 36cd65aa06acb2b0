import { type ErrorCode, type ErrorDetail, type ErrorStatus, errorTable } from '@leash/protocol'

/** Every code the server can answer with: the keys of `@leash/protocol`'s `errorTable`. */
export type ApiErrorCode = ErrorCode

export type { ErrorDetail }

/**
 * A failure the client is told about: a code, and the status and message the protocol's table gives it
 * (never written anywhere else). Never carries a token.
 */
export class ApiError<C extends ErrorCode = ErrorCode> extends Error {
  readonly status: ErrorStatus<C>
  readonly code: C
  readonly details: ErrorDetail[] | undefined
  readonly headers: Record<string, string> | undefined
  /** With `reauthentication_required`: the route's max age (s), told in `WWW-Authenticate`. */
  readonly maxAge: number | undefined

  constructor(code: C, extra: ApiErrorExtra = {}) {
    super(errorTable[code].message)
    this.name = 'ApiError'
    this.status = errorTable[code].status
    this.code = code
    this.details = extra.details
    this.headers = extra.headers
    this.maxAge = extra.maxAge
  }
}

/** What an `ApiError` may carry beside its code. */
export interface ApiErrorExtra {
  details?: ErrorDetail[]
  headers?: Record<string, string>
  maxAge?: number
}

/**
 * The error of `code`, with the table's status and message.
 * @example throw apiError('rate_limited', { headers: { 'Retry-After': '30' } })
 */
export const apiError = <C extends ErrorCode>(code: C, extra?: ApiErrorExtra) => new ApiError(code, extra)

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

/**
 * A unique constraint was hit: a username or an email address that exists already (ignoring case), or
 * an audit event's id.
 */
export class ConflictError extends Error {
  constructor(readonly what: 'username' | 'email' | 'audit event') {
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
