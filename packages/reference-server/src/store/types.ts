import type { AuditEvent, AuditEventType, RefreshTransport, Role } from '@leash/protocol'
import type { Invalidation } from '../bus/types.js'

// The wire's own types, imported rather than declared again.
export type { AuditEvent, AuditEventType, RefreshTransport, Role }

/**
 * Audit events to write in the same transaction as a change, given what the change came to (the ids a
 * session cap ended, a presentation's verdict); called inside the transaction, so it must not await.
 */
export type AuditFor<T> = (outcome: T) => AuditEvent[]

/** A page of `listEvents`: newest first by (time, id); `before`, the cursor, excludes itself. */
export interface AuditQuery {
  /** Only events about this user. */
  user?: string
  /** Only events of this type. */
  type?: AuditEventType
  /** Only events strictly older than this (time, id); with id null, than the time alone. */
  before?: { time: number; id: string | null }
  /** At most this many. */
  limit: number
}

export interface UserRecord {
  id: string
  username: string
  passwordHash: string
  role: Role
  enabled: boolean
  /** The user's own secret (≥ 256 random bits, base64url), which the signing key is derived from with `globalSecret`. */
  secret: string
  createdAt: number
  /** Where account mail goes; unique ignoring case (`ConflictError('email')`); null when none was given. */
  email: string | null
  /** Whether a verification link mailed to `email` was followed. */
  emailVerified: boolean
}

/** What a single-use account link is for. */
export type AccountTokenPurpose = 'verify_email' | 'reset_password'

/**
 * A single-use link's token as the store keeps it: its SHA-256 only (the token itself is only ever in the
 * mail), the user and the address it was mailed to, and when it stops working. A user has at most one
 * live token of each purpose: issuing one replaces the others.
 */
export interface AccountTokenRecord {
  hash: string
  userId: string
  purpose: AccountTokenPurpose
  /** The address it was mailed to, lower-cased: it works only while the user's email is this one (ignoring case). */
  email: string
  createdAt: number
  expiresAt: number
}

/** What spending an account token changes, in the transaction that spends it. */
export interface AccountTokenEffect {
  patch: UserPatch
  /** Ends every live session of the user with the change (a password reset). */
  end?: EndSessions
  /** Written with the change, given the user as it is after it. */
  audit?: AuditFor<UserRecord>
}

/** Why a session ended; decides the code a later refresh gets. */
export type SessionEndReason = 'logout' | 'reuse' | 'timeout' | 'revoked' | 'disabled'

/** A session is one refresh-token family. Times are epoch milliseconds. */
export interface SessionRecord {
  id: string
  userId: string
  createdAt: number
  /** The idle clock: the last refresh (or the login). */
  lastRefreshAt: number
  absoluteExpiresAt: number
  /**
   * When the user last proved their password in this session: the sign-in, or a later step-up
   * (`POST /auth/reauthenticate`). Access tokens carry it as `auth_time`; a refresh never moves it.
   */
  authTime: number
  transport: RefreshTransport
  /** The User-Agent the session was signed in with (bounded, stored as given, never interpreted); null if none. */
  userAgent: string | null
  endedAt: number | null
  endReason: SessionEndReason | null
}

/**
 * What makes a session live at `now`: not ended, and before both its absolute end and its idle end
 * (`lastRefreshAt + idleTimeoutMs`): the sessions a refresh would still accept.
 */
export interface Liveness {
  now: number
  idleTimeoutMs: number
}

/**
 * Where a refresh-token family stands: its one live token, and the token it replaced (the only one a
 * client whose response was lost may present again, once, within the reuse interval).
 */
export interface RefreshFamily {
  /** Hash of the family's only live refresh token (null once the session has ended through it). */
  current: string | null
  /** Hash of the token `current` replaced, and when that happened. */
  previous: string | null
  previousUsedAt: number | null
  /** Whether `previous` has had its one retry. */
  retried: boolean
}

/**
 * The most live sessions (see `Liveness`) a user may hold. A sign-in beyond it ends the least recently
 * used of the others ('revoked'): the lowest `lastRefreshAt`, then the oldest, never the new one.
 */
export interface SessionCap extends Liveness {
  max: number
}

/** The timings a presentation is judged by (milliseconds). */
export interface RefreshPolicy {
  reuseIntervalMs: number
  idleTimeoutMs: number
}

/**
 * What presenting a refresh token came to. `rotate` and `retry` are the two acceptances; the others
 * refuse it, and `expired` and `reused` end the family as they do.
 */
export type RefreshVerdict = 'rotate' | 'retry' | 'ended' | 'expired' | 'reused'

/** A presentation as the store applied it: the verdict and the session as it is now. */
export interface SpentRefreshToken {
  verdict: RefreshVerdict
  session: SessionRecord
}

export interface NoteRecord {
  id: string
  userId: string
  text: string
  createdAt: number
}

/** A change of a user. One that sets `passwordHash` also spends every reset token of the user. */
export type UserPatch = Partial<
  Pick<UserRecord, 'role' | 'enabled' | 'secret' | 'passwordHash' | 'emailVerified'>
>

/** Ends every live session of the user in the same transaction as the user's change. */
export interface EndSessions {
  reason: SessionEndReason
  now: number
}

/**
 * An invalidation as the store recorded it, in the transaction of the change it announces (the outbox):
 * `seq` numbers them in the order they were written (rolled-back ones leave gaps), `time` is the change's.
 */
export interface OutboxEntry {
  /** Numbered by the store, increasing, never reused. */
  seq: number
  /** When the change was made (epoch ms); entries are pruned by it. */
  time: number
  /** What every instance drops. */
  message: Invalidation
}

/** Options of `Store.updateUser`. */
export interface UpdateOptions {
  /**
   * Refuse with `LastAdminError`, changing nothing, when the change would leave no enabled admin. Checked in
   * the same transaction as the change, so two admins demoting each other at once cannot both succeed.
   */
  keepAnAdmin?: boolean
  /** Written in the change's transaction, when the user exists. */
  audit?: AuditEvent[]
}

/**
 * Persistence behind one async interface: memory (tests, msw), SQLite (the default), PostgreSQL.
 * Every method is atomic on its own; methods that must change two things together take both.
 * A store that cannot be reached throws `StoreUnavailableError`.
 *
 * Every change that ends a session or changes a user writes its invalidation to the outbox in the same
 * transaction (`OutboxEntry`): `updateUser` (`user`), `endSession`, `endUserSession`, a presentation that
 * ends its session and each session a cap ends (`session`), `rotateGlobalEpoch` (`all`). Whatever dies after
 * the commit, every instance finds it there (auth/outbox-relay.ts).
 */
export interface Store {
  readonly kind: string
  /** Throws `ConflictError('username')` or `ConflictError('email')` when either is taken (ignoring case). */
  createUser(user: UserRecord, audit?: AuditEvent[]): Promise<UserRecord>
  findUserById(id: string): Promise<UserRecord | null>
  findUserByUsername(username: string): Promise<UserRecord | null>
  /** The user whose email is this address, ignoring case. */
  findUserByEmail(email: string): Promise<UserRecord | null>
  listUsers(): Promise<UserRecord[]>
  /** Applies the patch and, when asked, ends the user's live sessions, in one transaction. */
  updateUser(
    id: string,
    patch: UserPatch,
    end?: EndSessions,
    options?: UpdateOptions,
  ): Promise<UserRecord | null>

  /**
   * Creates the session with its first (live) refresh token and, given a cap, ends the user's least recently
   * used live sessions beyond it, in the same atomic step (concurrent sign-ins of one user are applied one
   * after the other, so they never leave more than `cap.max` live). Returns the ids of the sessions it ended.
   */
  createSession(
    session: SessionRecord,
    firstTokenHash: string,
    cap?: SessionCap,
    audit?: AuditFor<string[]>,
  ): Promise<string[]>
  findSession(id: string): Promise<SessionRecord | null>
  /**
   * The session a refresh token belongs to and where its family stands: null for an unknown token, and for
   * one the store has forgotten (older than the one the live token replaced).
   */
  findRefreshFamily(hash: string): Promise<{ session: SessionRecord; family: RefreshFamily } | null>
  /**
   * Presents a refresh token, judged by `judgeRefresh` and applied in one atomic step, so concurrent
   * presentations of one family are judged one after the other and never leave two live tokens.
   * Accepted, `next` becomes the family's only live token and the idle clock moves to `now`; with
   * `next` null (logout) the session ends instead. `expired` ends the session as a timeout, `reused`
   * as reuse. Null for an unknown token.
   *
   * The store keeps only the tokens the rule needs (the live one and the one it replaced): a token that
   * leaves that window (`RefreshPlan.dropped`) is forgotten in the same step. `family`, the session the
   * caller knows the token to be of (its tag checked, tokens/refresh-token.ts), is where a hash the store
   * no longer holds is judged: as an old token of that family, that is, as reuse.
   */
  spendRefreshToken(
    hash: string,
    next: string | null,
    now: number,
    policy: RefreshPolicy,
    family?: string | null,
    audit?: AuditFor<SpentRefreshToken>,
  ): Promise<SpentRefreshToken | null>
  /**
   * Sets the sign-in time of a session that has not ended (a step-up), with `audit` in the same
   * transaction. Returns the session as it is now, or null (changing nothing) for an ended or unknown one.
   */
  setAuthTime(id: string, at: number, audit?: AuditEvent[]): Promise<SessionRecord | null>
  /** Ends one live session; false when it had ended already or does not exist (then `audit` is not written). */
  endSession(id: string, reason: SessionEndReason, now: number, audit?: AuditEvent[]): Promise<boolean>
  /**
   * The user's live sessions (see `Liveness`), newest first (`createdAt`, then `id`, descending), at most
   * `limit` of them.
   */
  listSessions(userId: string, live: Liveness & { limit: number }): Promise<SessionRecord[]>
  /**
   * Ends the session `id` if it belongs to `userId` and is live, ownership and liveness checked in the
   * same atomic step as the write. False, changing nothing, for another user's session, an unknown id,
   * or one that has ended or timed out.
   */
  endUserSession(
    userId: string,
    id: string,
    reason: SessionEndReason,
    live: Liveness,
    audit?: AuditEvent[],
  ): Promise<boolean>
  /**
   * Stores a single-use link's token, in one transaction with `audit`, and spends every other token of the
   * user with the same purpose: only the newest link works.
   */
  issueAccountToken(token: AccountTokenRecord, audit?: AuditEvent[]): Promise<void>
  /**
   * The token of this hash and purpose, if it is live at `now` (before `expiresAt`) and its user's email is
   * still the address it was mailed to. Changes nothing: a look before the work a spend needs (a hash).
   */
  findAccountToken(
    hash: string,
    purpose: AccountTokenPurpose,
    now: number,
  ): Promise<AccountTokenRecord | null>
  /**
   * Spends the token and applies `effect`, in one atomic step: one conditional delete takes the token if
   * it is of this purpose, live at `now`, and its user's email is still its address; the change is made
   * only if it did. Concurrent spends of one token: exactly one gets the changed user; every other, and
   * any token that is not live, gets null, and nothing is changed for it.
   */
  spendAccountToken(
    hash: string,
    purpose: AccountTokenPurpose,
    now: number,
    effect: AccountTokenEffect,
  ): Promise<UserRecord | null>
  /** Ends every live session; with the new global epoch, in one transaction. */
  rotateGlobalEpoch(epoch: string, now: number, audit?: AuditEvent[]): Promise<void>
  /**
   * Deletes sessions (and their tokens) that ended or expired before `before`, at most `limit` of them
   * (all when not given), in one statement. Returns how many. `pruneInBatches` calls it repeatedly.
   */
  prune(before: number, limit?: number): Promise<number>
  /** Deletes audit events older than `before`, at most `limit` of them (all when not given). Returns how many. */
  pruneEvents(before: number, limit?: number): Promise<number>

  /** The highest outbox `seq` written so far (0 when none). */
  outboxSeq(): Promise<number>
  /** Outbox entries with `seq` above `after`, in `seq` order, at most `limit` of them. */
  outboxAfter(after: number, limit: number): Promise<OutboxEntry[]>
  /** Deletes outbox entries older than `before`, at most `limit` of them (all when not given). Returns how many. */
  pruneOutbox(before: number, limit?: number): Promise<number>

  /** Writes events of refusals that changed nothing (the audit buffer's batches), in one transaction. */
  recordEvents(events: AuditEvent[]): Promise<void>
  /** Audit events, newest first by (time, id). */
  listEvents(query: AuditQuery): Promise<AuditEvent[]>

  listNotes(userId: string): Promise<NoteRecord[]>
  addNote(note: NoteRecord): Promise<NoteRecord>

  getMeta(key: string): Promise<string | null>
  /** Stores the value unless the key has one already; returns the value that is stored now. */
  initMeta(key: string, value: string): Promise<string>

  /** Resolves when the store answers; used by /healthz. */
  ping(): Promise<void>
  close(): Promise<void>
}
