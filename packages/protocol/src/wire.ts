import type { AuditEvent } from './audit.js'
import type { ErrorCode } from './errors.js'

// The bodies that cross the wire, as docs/protocol.md describes them. The server's zod schemas are checked
// against these at compile time, and the OpenAPI document at GET /openapi.json is generated from them.
// Durations are seconds relative to the response, so a client with a wrong clock still schedules right.

export type Role = 'user' | 'admin'

/** Where the refresh token travels: an HttpOnly cookie (default) or the body. */
export type RefreshTransport = 'cookie' | 'body'

/** A user as anyone signed in as that user sees it. */
export interface PublicUser {
  id: string
  username: string
  role: Role
}

/** A user as the user (`GET /auth/me`) and an administrator see it: with the email address and its state. */
export interface AccountUser extends PublicUser {
  /** The address account mail goes to (verification, password reset); null when none was given. */
  email: string | null
  /** Whether a verification link sent to `email` was followed. */
  email_verified: boolean
}

/** A user as an administrator sees it. */
export interface AdminUser extends AccountUser {
  enabled: boolean
}

/** Where a session stands, relative to the response that carries it. */
export interface SessionView {
  id: string
  idle_expires_in: number
  absolute_expires_in: number
}

/** The answer of login, refresh and password change. */
export interface TokenResponse {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  /** Only with the body transport; with the cookie transport it is in `Set-Cookie` and nowhere else. */
  refresh_token?: string
  session: SessionView
  user: PublicUser
  user_enabled: true
}

/** The answer of logout and logout-all: a token that expires a second after issue, naming the ended session. */
export interface LogoutResponse {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  user_enabled: true
}

export interface RegisterResponse {
  user: PublicUser
}

/** `GET /auth/me` */
export interface MeResponse {
  user: AccountUser
  session: SessionView
  user_enabled: true
}

/** One of the caller's live sessions (a signed-in device), as `GET /auth/sessions` lists it. */
export interface SignedInSession {
  id: string
  /** True for the session of the access token the request was made with. */
  current: boolean
  /** When it was signed in; ISO 8601, UTC. */
  created_at: string
  /** Its last refresh, or its sign-in if it has not refreshed; ISO 8601, UTC. */
  last_used_at: string
  /**
   * The User-Agent header it was signed in with, as sent (cut to `MAX_USER_AGENT_LENGTH`, 512 characters), never interpreted by
   * the server; null when there was none. A client's own claim: show it, never trust it.
   */
  user_agent: string | null
}

/** `GET /auth/sessions`: the caller's live sessions, newest first (at most `MAX_LISTED_SESSIONS`, 100). */
export interface SessionsResponse {
  sessions: SignedInSession[]
  user_enabled: true
}

/**
 * `DELETE /auth/sessions/:id`: the session has ended. `current: true` means it was the caller's own: the
 * access token just used answers `session_revoked` from now on and its refresh token is refused, so the
 * client is signed out (as after logout, without the 1-second token).
 */
export interface RevokeSessionResponse {
  revoked: string
  current: boolean
  user_enabled: true
}

export interface Note {
  id: string
  text: string
  /** ISO 8601, UTC. */
  created_at: string
}

/** `GET /api/notes` */
export interface NotesResponse {
  notes: Note[]
  user_enabled: true
}

/** `POST /api/notes` */
export interface NoteResponse {
  note: Note
  user_enabled: true
}

/** `GET /admin/users` */
export interface AdminUsersResponse {
  users: AdminUser[]
  user_enabled: true
}

/** `POST /admin/users/:id/disable|enable|revoke`, `PATCH /admin/users/:id` */
export interface AdminUserResponse {
  user: AdminUser
  user_enabled: true
}

/** `POST /admin/revoke-all` */
export interface RevokeAllResponse {
  revoked: 'all'
  user_enabled: true
}

/** `GET /healthz`: liveness, 200 while the process serves requests, whatever its store or bus. */
export interface LiveResponse {
  status: 'ok'
}

/**
 * `GET /readyz`: readiness, 200 when the store answers (its migrations applied) and the bus is live; 503
 * otherwise (`degraded`: only the bus is down), and from the moment the server starts draining.
 */
export interface HealthResponse {
  status: 'ok' | 'degraded' | 'unavailable' | 'draining'
  store: 'ok' | 'down'
  bus: 'ok' | 'down'
}

/** One field that broke the request schema. */
export interface ErrorDetail {
  path: string
  message: string
}

/** Every error body. `user_enabled: false` comes with `user_disabled`, and only with it. */
export interface ErrorBody<C extends ErrorCode = ErrorCode> {
  error: {
    code: C
    message: string
    /** With `invalid_request`: one entry per offending field path. */
    details?: ErrorDetail[]
  }
  user_enabled?: false
}

export interface RegisterRequest {
  username: string
  password: string
  /** Optional; unique ignoring case. A verification link is mailed to it. */
  email?: string
}

/** `POST /auth/email/verify`: the `token` query parameter of the link the server mailed. */
export interface VerifyEmailRequest {
  token: string
}

/** `POST /auth/password/forgot` */
export interface ForgotPasswordRequest {
  email: string
}

/** `POST /auth/password/reset`: the link's `token` and the new password (the password policy applies). */
export interface ResetPasswordRequest {
  token: string
  password: string
}

/** The answer of `POST /auth/email/verify`. */
export interface VerifyEmailResponse {
  verified: true
}

/** The answer of `POST /auth/email/resend`: a new link was queued (the older ones no longer work). */
export interface ResendVerificationResponse {
  sent: true
  user_enabled: true
}

/**
 * The answer of `POST /auth/password/forgot`: the same whether or not the address names an account. When
 * it names an enabled one, a link is mailed.
 */
export interface ForgotPasswordResponse {
  accepted: true
}

/** The answer of `POST /auth/password/reset`: the password is set; every session of the user has ended. */
export interface ResetPasswordResponse {
  reset: true
}

export interface LoginRequest {
  username: string
  password: string
  refresh_transport?: RefreshTransport
}

/** Refresh and logout: the refresh token in the body, or none (then the cookie's). */
export interface RefreshRequest {
  refresh_token?: string
}

export interface PasswordChangeRequest {
  current_password: string
  new_password: string
  refresh_transport?: RefreshTransport
}

/** `POST /auth/reauthenticate`: the signed-in user's password, to prove a recent sign-in (step-up). */
export interface ReauthenticateRequest {
  password: string
}

export interface NewNoteRequest {
  text: string
}

export interface RoleChangeRequest {
  role: Role
}

/** `GET /admin/audit`: newest first; `next` is the cursor of the following page (null at the end). */
export interface AuditEventsResponse {
  events: AuditEvent[]
  next: string | null
  user_enabled: true
}
