/** Request bodies above this many bytes are refused with 413 `payload_too_large` before they are read. */
export const MAX_BODY_BYTES = 16 * 1024

/**
 * Every error the server answers: its code, HTTP status and the sentence sent as `error.message`. The
 * server builds each error from this table (so a status or message is written once, here), the SDK's
 * `LeashErrorCode` is its keys plus the client's own codes, and docs/protocol.md's table is generated from
 * it. A code is stable; a message may be reworded, so clients branch on the code.
 */
export const errorTable = {
  // The request itself
  unsupported_media_type: { status: 415, message: 'Send the body as application/json.' },
  invalid_json: { status: 400, message: 'The body is not valid JSON.' },
  payload_too_large: { status: 413, message: `The body is over ${MAX_BODY_BYTES} bytes.` },
  invalid_request: { status: 400, message: 'The request does not match what this endpoint takes.' },
  not_found: { status: 404, message: 'No such endpoint.' },
  origin_not_allowed: { status: 403, message: 'This request came from a page of another origin.' },
  // The bearer checks, in the order they run
  missing_token: { status: 401, message: 'This endpoint needs an Authorization: Bearer token.' },
  malformed_token: {
    status: 401,
    message: 'The bearer token is not a compact JWS of three base64url parts.',
  },
  invalid_token: { status: 401, message: 'The bearer token is not valid.' },
  token_expired: { status: 401, message: 'The access token has expired; refresh it.' },
  user_disabled: { status: 403, message: 'This account has been disabled.' },
  session_revoked: { status: 401, message: 'The session has ended; sign in again.' },
  // After every other check, on routes that ask for a recent sign-in (`requireSession({ maxAge })`)
  reauthentication_required: {
    status: 401,
    message: 'This action needs a recent sign-in; confirm your password (POST /auth/reauthenticate).',
  },
  // Sign-in, registration and refresh
  invalid_credentials: { status: 401, message: 'Wrong username or password.' },
  rate_limited: { status: 429, message: 'Too many attempts; try again later.' },
  username_taken: { status: 409, message: 'That username is taken.' },
  email_taken: { status: 409, message: 'That email address belongs to another account.' },
  email_not_verified: {
    status: 403,
    message: 'Verify your email address first: follow the link the server mailed you.',
  },
  registration_closed: { status: 403, message: 'Registration is closed.' },
  invalid_refresh_token: { status: 401, message: 'No valid refresh token was sent.' },
  refresh_token_reused: {
    status: 401,
    message: 'This refresh token was used already; the session has been ended to protect it.',
  },
  session_expired: { status: 401, message: 'The session has timed out; sign in again.' },
  // Email verification and password reset
  invalid_verification_token: {
    status: 400,
    message: 'This verification link is not valid: it was used already, replaced, or has expired.',
  },
  invalid_reset_token: {
    status: 400,
    message: 'This password-reset link is not valid: it was used already, replaced, or has expired.',
  },
  nothing_to_verify: { status: 409, message: 'This account has no unverified email address.' },
  // The caller's own sessions
  session_not_found: { status: 404, message: 'You have no live session with that id.' },
  // Administration
  forbidden: { status: 403, message: 'This endpoint is for administrators.' },
  user_not_found: { status: 404, message: 'No user has that id.' },
  last_admin: { status: 409, message: 'This change would leave no enabled administrator.' },
  // The server
  server_busy: { status: 503, message: 'The server is busy; try again later.' },
  store_unavailable: { status: 503, message: 'The session store cannot be reached.' },
  internal_error: { status: 500, message: 'Something went wrong on the server.' },
} as const satisfies Record<string, { status: number; message: string }>

/** Every code the server can answer with. */
export type ErrorCode = keyof typeof errorTable

/** The HTTP status of a code (of every code, when none is given). */
export type ErrorStatus<C extends ErrorCode = ErrorCode> = (typeof errorTable)[C]['status']

/** The codes the table lists, in its order. */
export const errorCodes = Object.keys(errorTable) as ErrorCode[]
