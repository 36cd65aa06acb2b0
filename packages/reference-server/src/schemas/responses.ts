import {
  type AccountUser,
  type AdminUser,
  type AdminUserResponse,
  type AdminUsersResponse,
  type AuditEvent,
  type AuditEventsResponse,
  auditEventTypes,
  type ErrorBody,
  type ErrorCode,
  type ErrorDetail,
  errorCodes,
  type ForgotPasswordResponse,
  type HealthResponse,
  type LiveResponse,
  type LogoutResponse,
  MAX_AUDIT_PAGE,
  MAX_LISTED_SESSIONS,
  MAX_USER_AGENT_LENGTH,
  type MeResponse,
  type Note,
  type NoteResponse,
  type NotesResponse,
  type PublicUser,
  type RegisterResponse,
  type ResendVerificationResponse,
  type ResetPasswordResponse,
  type RevokeAllResponse,
  type RevokeSessionResponse,
  type SessionsResponse,
  type SessionView,
  type SignedInSession,
  type TokenResponse,
  type VerifyEmailResponse,
} from '@leash/protocol'
import { z } from 'zod'
import { response } from './typed.js'

// Each response body as a zod schema, held to its wire type at compile time. They validate nothing at run
// time: the OpenAPI document is generated from them, and the tests check real responses against it.

const seconds = z.number().int().min(0)
const enabled = z.literal(true).describe('Every successful authenticated response says the user is enabled.')

const publicUser = response<PublicUser>()(
  z.object({ id: z.string(), username: z.string(), role: z.enum(['user', 'admin']) }),
)
const accountUser = response<AccountUser>()(
  publicUser.extend({
    email: z.string().nullable().describe('Where account mail goes; null when none was given.'),
    email_verified: z.boolean(),
  }),
)
const adminUser = response<AdminUser>()(accountUser.extend({ enabled: z.boolean() }))
const sessionView = response<SessionView>()(
  z.object({ id: z.string(), idle_expires_in: seconds, absolute_expires_in: seconds }),
)
const signedInSession = response<SignedInSession>()(
  z.object({
    id: z.string(),
    current: z.boolean(),
    created_at: z.iso.datetime(),
    last_used_at: z.iso.datetime(),
    user_agent: z.string().max(MAX_USER_AGENT_LENGTH).nullable(),
  }),
)
const note = response<Note>()(z.object({ id: z.string(), text: z.string(), created_at: z.iso.datetime() }))
const auditEvent = response<AuditEvent>()(
  z.object({
    id: z.string(),
    time: z.number().int().describe('Epoch milliseconds.'),
    type: z.enum(auditEventTypes),
    version: z.number().int().min(1),
    user: z.string().nullable(),
    actor: z.string().nullable().describe('A user id (the user, or an admin), `session_cap`, or null.'),
    session: z.string().nullable(),
    address: z.string().nullable(),
    user_agent: z.string().max(MAX_USER_AGENT_LENGTH).nullable(),
    code: z.enum(errorCodes as [ErrorCode, ...ErrorCode[]]).nullable(),
  }),
)
const errorDetail = response<ErrorDetail>()(z.object({ path: z.string(), message: z.string() }))

/** Every response body, by its name in the OpenAPI document. */
export const responses = {
  PublicUser: publicUser,
  AccountUser: accountUser,
  AdminUser: adminUser,
  SessionView: sessionView,
  SignedInSession: signedInSession,
  Note: note,
  ErrorDetail: errorDetail,
  AuditEvent: auditEvent,
  TokenResponse: response<TokenResponse>()(
    z.object({
      access_token: z.string(),
      token_type: z.literal('Bearer'),
      expires_in: seconds,
      refresh_token: z.string().optional(),
      session: sessionView,
      user: publicUser,
      user_enabled: enabled,
    }),
  ),
  LogoutResponse: response<LogoutResponse>()(
    z.object({
      access_token: z.string(),
      token_type: z.literal('Bearer'),
      expires_in: seconds,
      user_enabled: enabled,
    }),
  ),
  RegisterResponse: response<RegisterResponse>()(z.object({ user: publicUser })),
  MeResponse: response<MeResponse>()(
    z.object({ user: accountUser, session: sessionView, user_enabled: enabled }),
  ),
  VerifyEmailResponse: response<VerifyEmailResponse>()(z.object({ verified: z.literal(true) })),
  ResendVerificationResponse: response<ResendVerificationResponse>()(
    z.object({ sent: z.literal(true), user_enabled: enabled }),
  ),
  ForgotPasswordResponse: response<ForgotPasswordResponse>()(
    z
      .object({ accepted: z.literal(true) })
      .describe('The same answer whether or not the address has an account.'),
  ),
  ResetPasswordResponse: response<ResetPasswordResponse>()(z.object({ reset: z.literal(true) })),
  SessionsResponse: response<SessionsResponse>()(
    z.object({ sessions: z.array(signedInSession).max(MAX_LISTED_SESSIONS), user_enabled: enabled }),
  ),
  RevokeSessionResponse: response<RevokeSessionResponse>()(
    z.object({ revoked: z.string(), current: z.boolean(), user_enabled: enabled }),
  ),
  NotesResponse: response<NotesResponse>()(z.object({ notes: z.array(note), user_enabled: enabled })),
  NoteResponse: response<NoteResponse>()(z.object({ note: note, user_enabled: enabled })),
  AdminUsersResponse: response<AdminUsersResponse>()(
    z.object({ users: z.array(adminUser), user_enabled: enabled }),
  ),
  AdminUserResponse: response<AdminUserResponse>()(z.object({ user: adminUser, user_enabled: enabled })),
  AuditEventsResponse: response<AuditEventsResponse>()(
    z.object({
      events: z.array(auditEvent).max(MAX_AUDIT_PAGE),
      next: z.string().nullable().describe('`before` for the following page; null at the end.'),
      user_enabled: enabled,
    }),
  ),
  RevokeAllResponse: response<RevokeAllResponse>()(
    z.object({ revoked: z.literal('all'), user_enabled: enabled }),
  ),
  LiveResponse: response<LiveResponse>()(z.object({ status: z.literal('ok') })),
  HealthResponse: response<HealthResponse>()(
    z.object({
      status: z.enum(['ok', 'degraded', 'unavailable', 'draining']),
      store: z.enum(['ok', 'down']),
      bus: z.enum(['ok', 'down']),
    }),
  ),
  /** Every error: the code is one of the protocol's table; each operation lists the ones it can answer. */
  ErrorBody: response<ErrorBody>()(
    z.object({
      error: z.object({
        code: z.enum(errorCodes as [ErrorCode, ...ErrorCode[]]),
        message: z.string(),
        details: z.array(errorDetail).optional(),
      }),
      user_enabled: z
        .literal(false)
        .optional()
        .describe('With user_disabled, and only with it: the client clears its session.'),
    }),
  ),
}

export type ResponseName = keyof typeof responses
