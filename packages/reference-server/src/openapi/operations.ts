import type { ErrorCode } from '@leash/protocol'
import type { Operation } from './operation.js'
import { recoveryOperations } from './recovery-operations.js'

export type { Auth, Operation } from './operation.js'

/** What reading a JSON body can answer. */
export const BODY_CHECKS: ErrorCode[] = ['unsupported_media_type', 'invalid_json', 'invalid_request']
/** The bearer checks, in the protocol's order. */
export const BEARER_CHECKS: ErrorCode[] = [
  'missing_token',
  'malformed_token',
  'invalid_token',
  'token_expired',
  'user_disabled',
  'session_revoked',
]
const json = BODY_CHECKS
const store: ErrorCode[] = ['store_unavailable']
const bearer: ErrorCode[] = [...BEARER_CHECKS, ...store]
const admin: ErrorCode[] = [...bearer, 'forbidden']
/** An admin change: a live admin session, signed in within the step-up max age. */
const adminChange: ErrorCode[] = [...admin, 'reauthentication_required']
const hashing: ErrorCode[] = ['rate_limited', 'server_busy']

/** Every endpoint of the app. A route missing here fails the document's test. */
export const operations: Operation[] = [
  {
    id: 'register',
    method: 'post',
    path: '/auth/register',
    summary:
      'Create an account (role user); a guessable password is refused (400, detail `password`). With an `email`, a verification link is mailed to it.',
    auth: [],
    request: { schema: 'RegisterRequest', required: true },
    ok: { 201: 'RegisterResponse' },
    errors: [
      'origin_not_allowed',
      ...json,
      'registration_closed',
      ...hashing,
      'username_taken',
      'email_taken',
      ...store,
    ],
  },
  {
    id: 'login',
    method: 'post',
    path: '/auth/login',
    summary:
      'Sign in: a new session. Unknown user and wrong password get the same body and timing; `email_not_verified` (with LEASH_REQUIRE_VERIFIED_EMAIL) only after the right password.',
    auth: [],
    request: { schema: 'LoginRequest', required: true },
    ok: { 200: 'TokenResponse' },
    cookie: 'sets',
    errors: [
      'origin_not_allowed',
      ...json,
      ...hashing,
      'invalid_credentials',
      'user_disabled',
      'email_not_verified',
      ...store,
    ],
  },
  {
    id: 'refresh',
    method: 'post',
    path: '/auth/refresh',
    summary: 'Rotate the refresh token (body, else cookie): new tokens, the old one spent.',
    auth: ['refresh cookie', 'optional'],
    request: { schema: 'RefreshRequest', required: false },
    ok: { 200: 'TokenResponse' },
    cookie: 'sets',
    errors: [
      'origin_not_allowed',
      ...json,
      'invalid_refresh_token',
      'refresh_token_reused',
      'session_expired',
      'session_revoked',
      'user_disabled',
      ...store,
    ],
  },
  {
    id: 'logout',
    method: 'post',
    path: '/auth/logout',
    summary: 'End the session of the bearer (unexpired) or of the refresh token; a 1-second token back.',
    auth: ['bearer', 'refresh cookie', 'optional'],
    request: { schema: 'RefreshRequest', required: false },
    ok: { 200: 'LogoutResponse' },
    cookie: 'clears',
    errors: ['origin_not_allowed', ...json, 'invalid_refresh_token', 'refresh_token_reused', ...bearer],
  },
  {
    id: 'logoutAll',
    method: 'post',
    path: '/auth/logout-all',
    summary: "End every session of the user: the user's secret is rotated.",
    auth: ['bearer'],
    ok: { 200: 'LogoutResponse' },
    cookie: 'clears',
    errors: ['origin_not_allowed', ...bearer],
  },
  {
    id: 'reauthenticate',
    method: 'post',
    path: '/auth/reauthenticate',
    summary:
      'Step-up: confirm the password in this session; a new access token whose auth_time is now (the refresh token stays). Rate-limited per user and address.',
    auth: ['bearer'],
    request: { schema: 'ReauthenticateRequest', required: true },
    ok: { 200: 'TokenResponse' },
    errors: [...bearer, ...json, ...hashing, 'invalid_credentials'],
  },
  {
    id: 'changePassword',
    method: 'post',
    path: '/auth/password',
    summary:
      'Change the password (needs a sign-in within LEASH_REAUTH_MAX_AGE): every older session and token dies; tokens of a new session back. A guessable new password is refused (400, detail `new_password`).',
    auth: ['bearer'],
    request: { schema: 'PasswordChangeRequest', required: true },
    ok: { 200: 'TokenResponse' },
    cookie: 'sets',
    errors: [...bearer, 'reauthentication_required', ...json, ...hashing, 'invalid_credentials'],
  },
  {
    id: 'me',
    method: 'get',
    path: '/auth/me',
    summary: 'The signed-in user and where the session stands.',
    auth: ['bearer'],
    ok: { 200: 'MeResponse' },
    errors: bearer,
  },
  {
    id: 'listSessions',
    method: 'get',
    path: '/auth/sessions',
    summary:
      "The caller's live sessions (signed-in devices), newest first; `current` marks the one of this token.",
    auth: ['bearer'],
    ok: { 200: 'SessionsResponse' },
    errors: bearer,
  },
  {
    id: 'revokeSession',
    method: 'delete',
    path: '/auth/sessions/:id',
    summary:
      "End one of the caller's sessions: its access tokens answer session_revoked, its refresh token is refused. Another device's needs a sign-in within LEASH_REAUTH_MAX_AGE.",
    auth: ['bearer'],
    ok: { 200: 'RevokeSessionResponse' },
    errors: [...bearer, 'reauthentication_required', 'session_not_found'],
  },
  ...recoveryOperations,
  {
    id: 'listNotes',
    method: 'get',
    path: '/api/notes',
    summary: "The signed-in user's notes (the demo's protected resource).",
    auth: ['bearer'],
    ok: { 200: 'NotesResponse' },
    errors: bearer,
  },
  {
    id: 'addNote',
    method: 'post',
    path: '/api/notes',
    summary: 'Add a note.',
    auth: ['bearer'],
    request: { schema: 'NewNoteRequest', required: true },
    ok: { 201: 'NoteResponse' },
    errors: [...bearer, ...json],
  },
  {
    id: 'listUsers',
    method: 'get',
    path: '/admin/users',
    summary: 'Every user (admins only).',
    auth: ['bearer'],
    ok: { 200: 'AdminUsersResponse' },
    errors: admin,
  },
  {
    id: 'disableUser',
    method: 'post',
    path: '/admin/users/:id/disable',
    summary: "Disable a user: every session ends; the user's tokens answer 403 user_disabled.",
    auth: ['bearer'],
    ok: { 200: 'AdminUserResponse' },
    errors: [...adminChange, 'user_not_found', 'last_admin'],
  },
  {
    id: 'enableUser',
    method: 'post',
    path: '/admin/users/:id/enable',
    summary: "Enable a user; the user's secret is rotated, so nothing from before comes back.",
    auth: ['bearer'],
    ok: { 200: 'AdminUserResponse' },
    errors: [...adminChange, 'user_not_found'],
  },
  {
    id: 'revokeUser',
    method: 'post',
    path: '/admin/users/:id/revoke',
    summary: "Revoke every token and session of a user (the user's secret is rotated).",
    auth: ['bearer'],
    ok: { 200: 'AdminUserResponse' },
    errors: [...adminChange, 'user_not_found'],
  },
  {
    id: 'changeRole',
    method: 'patch',
    path: '/admin/users/:id',
    summary: "Change a user's role; the user's secret is rotated.",
    auth: ['bearer'],
    request: { schema: 'RoleChangeRequest', required: true },
    ok: { 200: 'AdminUserResponse' },
    errors: [...adminChange, ...json, 'user_not_found', 'last_admin'],
  },
  {
    id: 'listAuditEvents',
    method: 'get',
    path: '/admin/audit',
    summary:
      'The audit trail, newest first: filter by user and type, page with `before` (the `next` of the page before).',
    auth: ['bearer'],
    query: 'AuditEventsQuery',
    ok: { 200: 'AuditEventsResponse' },
    errors: [...admin, 'invalid_request'],
  },
  {
    id: 'revokeAll',
    method: 'post',
    path: '/admin/revoke-all',
    summary: 'Revoke every token of every user, the caller included (the global epoch is rotated).',
    auth: ['bearer'],
    ok: { 200: 'RevokeAllResponse' },
    errors: adminChange,
  },
  {
    id: 'health',
    method: 'get',
    path: '/healthz',
    summary:
      'Liveness: 200 while the process serves requests, whatever its store and bus (a database outage must not restart it).',
    auth: [],
    ok: { 200: 'LiveResponse' },
    errors: [],
  },
  {
    id: 'ready',
    method: 'get',
    path: '/readyz',
    summary:
      'Readiness: 200 when the store answers (migrations applied) and the bus is live; 503 when either is down, and while draining.',
    auth: [],
    ok: { 200: 'HealthResponse', 503: 'HealthResponse' },
    errors: [],
  },
  {
    id: 'openapi',
    method: 'get',
    path: '/openapi.json',
    summary: 'This document.',
    auth: [],
    ok: { 200: 'OpenApiDocument' },
    errors: [],
  },
]
