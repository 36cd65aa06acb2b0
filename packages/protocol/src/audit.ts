import type { ErrorCode } from './errors.js'

/** The most events one `GET /admin/audit` page holds; the default page is `DEFAULT_AUDIT_PAGE`. */
export const MAX_AUDIT_PAGE = 200
export const DEFAULT_AUDIT_PAGE = 50

/** What reading a JSON body can refuse (the body checks). */
export const BODY_CHECKS = ['unsupported_media_type', 'invalid_json', 'invalid_request'] as const
/** The bearer checks' refusals, in the protocol's order. */
export const BEARER_CHECKS = [
  'missing_token',
  'malformed_token',
  'invalid_token',
  'token_expired',
  'user_disabled',
  'session_revoked',
] as const

/**
 * Every security decision the server records, with the version of its shape and what it means. An event's
 * fields are `AuditEvent`'s; `fields` names those the type fills (the others are null), `codes` the error
 * codes a refusal carries. docs/protocol.md's table is generated from this one. A type's name is stable;
 * a change of what it carries raises its `version`.
 */
export const auditEventTable = {
  'user.registered': { version: 1, fields: ['user'], codes: [], meaning: 'An account was created.' },
  'register.failed': {
    version: 1,
    fields: [],
    codes: [
      ...BODY_CHECKS,
      'registration_closed',
      'rate_limited',
      'server_busy',
      'username_taken',
      'email_taken',
      'origin_not_allowed',
    ],
    meaning: 'A registration was refused (`code` says why; a weak password is `invalid_request`).',
  },
  'login.succeeded': {
    version: 1,
    fields: ['user', 'session'],
    codes: [],
    meaning: 'A sign-in started a session.',
  },
  'login.failed': {
    version: 1,
    fields: ['user'],
    codes: [
      ...BODY_CHECKS,
      'rate_limited',
      'server_busy',
      'invalid_credentials',
      'user_disabled',
      'email_not_verified',
      'origin_not_allowed',
    ],
    meaning: 'A sign-in was refused; `user` when the username names one.',
  },
  'refresh.reuse_detected': {
    version: 1,
    fields: ['user', 'session'],
    codes: ['refresh_token_reused'],
    meaning: 'A spent refresh token came back: its whole session (family) was revoked.',
  },
  'refresh.failed': {
    version: 1,
    fields: ['user', 'session'],
    codes: [
      'origin_not_allowed',
      ...BODY_CHECKS,
      'invalid_refresh_token',
      'session_expired',
      'session_revoked',
      'user_disabled',
    ],
    meaning: 'A refresh was refused (reuse has its own type).',
  },
  'session.signed_out': {
    version: 1,
    fields: ['user', 'actor', 'session'],
    codes: [],
    meaning: 'A session ended by logout.',
  },
  'session.revoked': {
    version: 1,
    fields: ['user', 'actor', 'session'],
    codes: [],
    meaning:
      'One session was ended: by its user from the device list (`actor` the user), or by the session cap at a newer sign-in (`actor` `session_cap`).',
  },
  'logout.failed': {
    version: 1,
    fields: ['user', 'session'],
    codes: ['origin_not_allowed', ...BODY_CHECKS, 'invalid_refresh_token', ...BEARER_CHECKS],
    meaning: 'A logout or logout-all was refused (a reused refresh token is `refresh.reuse_detected`).',
  },
  'user.signed_out_everywhere': {
    version: 1,
    fields: ['user', 'actor', 'session'],
    codes: [],
    meaning: 'Logout-all: the user rotated their string; every session ended.',
  },
  'password.changed': {
    version: 1,
    fields: ['user', 'actor', 'session'],
    codes: [],
    meaning: 'The password changed; every older session ended.',
  },
  'password.change_failed': {
    version: 1,
    fields: ['user', 'session'],
    codes: [
      ...BEARER_CHECKS,
      'reauthentication_required',
      ...BODY_CHECKS,
      'rate_limited',
      'server_busy',
      'invalid_credentials',
    ],
    meaning: 'A password change was refused.',
  },
  'email.verification_sent': {
    version: 1,
    fields: ['user', 'actor'],
    codes: [],
    meaning:
      'A verification link was made and queued for the user’s address (at registration, or asked for again); older ones stop working.',
  },
  'email.verified': {
    version: 1,
    fields: ['user'],
    codes: [],
    meaning: 'A verification link was followed: the user’s address is verified, and the link spent.',
  },
  'email.verify_failed': {
    version: 1,
    fields: [],
    codes: [...BODY_CHECKS, 'rate_limited', 'invalid_verification_token'],
    meaning: 'A verification link was refused (used already, replaced, expired, or never made).',
  },
  'password.reset_requested': {
    version: 1,
    fields: ['user'],
    codes: [],
    meaning:
      'Someone asked for a password-reset link; `user` when the address names an enabled account (then a link was made and queued), null otherwise. Written after the answer, which is the same either way.',
  },
  'password.reset': {
    version: 1,
    fields: ['user'],
    codes: [],
    meaning:
      'A reset link set a new password: the user’s string rotated, every session and access token of theirs ended, other reset links spent.',
  },
  'password.reset_failed': {
    version: 1,
    fields: ['user'],
    codes: [...BODY_CHECKS, 'rate_limited', 'server_busy', 'invalid_reset_token'],
    meaning:
      'A password reset was refused (`invalid_request` for a guessable password: the link still works); `user` when the link named one.',
  },
  'session.reauthenticated': {
    version: 1,
    fields: ['user', 'actor', 'session'],
    codes: [],
    meaning:
      'The user confirmed their password in a live session (step-up): its sign-in time (`auth_time`) is now.',
  },
  'reauthentication.failed': {
    version: 1,
    fields: ['user', 'session'],
    codes: [...BEARER_CHECKS, ...BODY_CHECKS, 'rate_limited', 'server_busy', 'invalid_credentials'],
    meaning: 'A step-up was refused: a wrong password (`invalid_credentials`), or too many tries.',
  },
  'session.revoke_failed': {
    version: 1,
    fields: ['user', 'session'],
    codes: [...BEARER_CHECKS, 'reauthentication_required', 'session_not_found'],
    meaning: 'A user asked to end a session that is not one of their live ones.',
  },
  'user.disabled': {
    version: 1,
    fields: ['user', 'actor'],
    codes: [],
    meaning: 'An admin disabled the user.',
  },
  'user.enabled': { version: 1, fields: ['user', 'actor'], codes: [], meaning: 'An admin enabled the user.' },
  'user.role_changed': {
    version: 1,
    fields: ['user', 'actor'],
    codes: [],
    meaning: 'An admin changed the user’s role.',
  },
  'user.sessions_revoked': {
    version: 1,
    fields: ['user', 'actor'],
    codes: [],
    meaning: 'An admin revoked every session and token of the user.',
  },
  'sessions.revoked_all': {
    version: 1,
    fields: ['actor'],
    codes: [],
    meaning:
      'An admin (or the operator, with `leash-server revoke-all`: no actor) rotated the global epoch: every session of every user ended.',
  },
  'admin.refused': {
    version: 1,
    fields: ['user', 'actor'],
    codes: [
      ...BEARER_CHECKS,
      'forbidden',
      'reauthentication_required',
      ...BODY_CHECKS,
      'user_not_found',
      'last_admin',
    ],
    meaning: 'An admin request was refused; `user` the target, `actor` the caller when known.',
  },
} as const satisfies Record<
  string,
  {
    version: number
    fields: readonly ('user' | 'actor' | 'session')[]
    codes: readonly ErrorCode[]
    meaning: string
  }
>

/** Every event type, dotted: `login.failed`, `session.revoked`, … */
export type AuditEventType = keyof typeof auditEventTable

/** The types the table lists, in its order. */
export const auditEventTypes = Object.keys(auditEventTable) as AuditEventType[]

/** The `actor` of an event the session cap caused. */
export const SESSION_CAP_ACTOR = 'session_cap'

/**
 * One security decision, as the store keeps it and `GET /admin/audit` answers it. Never a password, a token
 * or a secret: who, what, when, from where.
 */
export interface AuditEvent {
  id: string
  /** Epoch milliseconds. */
  time: number
  type: AuditEventType
  /** The version of the type's shape (`auditEventTable[type].version`). */
  version: number
  /** The user the event concerns, when known. */
  user: string | null
  /** Who caused it: a user id (the user, or an admin), `session_cap`, or null (anonymous). */
  actor: string | null
  session: string | null
  /** The client's address, as the server's `clientIp` gave it. */
  address: string | null
  user_agent: string | null
  /** The refusal's error code, for the `*.failed`, `*.refused` and `reuse_detected` types. */
  code: ErrorCode | null
}
