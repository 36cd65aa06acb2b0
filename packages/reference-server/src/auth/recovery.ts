import type { ServerConfig } from '../config.js'
import { apiError } from '../errors.js'
import type { LogEntry } from '../log.js'
import type { Outbox } from '../mail/outbox.js'
import { linkTo, resetMail, verificationMail } from '../mail/templates.js'
import type { AccountTokenPurpose, AuditEvent, Store, UserRecord } from '../store/types.js'
import { randomToken, sha256 } from '../tokens/random.js'
import { type Audit, type AuditContext, noContext } from './audit.js'
import type { Directory } from './directory.js'
import { createResetRequests } from './reset-requests.js'

/** How long a verification link works. */
export const VERIFY_TTL_MS = 24 * 3_600_000
/** How long a password-reset link works. */
export const RESET_TTL_MS = 30 * 60_000

const ttl: Record<AccountTokenPurpose, number> = {
  verify_email: VERIFY_TTL_MS,
  reset_password: RESET_TTL_MS,
}

type Mailed = UserRecord & { email: string }

/**
 * Email verification and password reset over single-use links. A link's token is 32 random bytes
 * (base64url) that exist only in the mail: the store keeps their SHA-256, so a copy of the database
 * opens no account. Each purpose has one live token per user (a new one replaces the old), and a token
 * is spent by the store's conditional delete in the same transaction as its effect, so it works once.
 */
export function createRecovery(deps: {
  store: Store
  directory: Directory
  config: ServerConfig
  audit: Audit
  now: () => number
  log: (entry: LogEntry) => void
  /** Null: no mailer, each mail is logged as not sent (never with its link). */
  outbox: Outbox | null
  /** Where links point: never a request's Host, which whoever sends the request chooses. */
  linkOrigin: string | null
}) {
  const { store, directory, config, audit, now, log, outbox, linkOrigin } = deps

  /** Stores a new token of `purpose` for the user (the older ones stop working), with `events`. */
  async function issue(user: Mailed, purpose: AccountTokenPurpose, events: AuditEvent[]) {
    const token = randomToken(32)
    const at = now()
    const record = { hash: await sha256(token), userId: user.id, purpose, email: user.email.toLowerCase() }
    await store.issueAccountToken({ ...record, createdAt: at, expiresAt: at + ttl[purpose] }, events)
    audit.committed(events)
    return token
  }

  /** Queues the mail carrying the token; logs, never throws, when it cannot be built. */
  function mail(user: Mailed, purpose: AccountTokenPurpose, token: string) {
    const about = { kind: purpose, user: user.id }
    if (outbox === null)
      return log({ level: 'warn', msg: 'mail not sent: no mailer (LEASH_SMTP_URL)', ...about })
    if (linkOrigin === null)
      return log({
        level: 'error',
        msg: 'mail not sent: no origin for its link (LEASH_PUBLIC_ORIGIN)',
        ...about,
      })
    const verify = purpose === 'verify_email'
    const path = verify ? config.verifyEmailPath : config.resetPasswordPath
    const to = { to: user.email, username: user.username, link: linkTo(linkOrigin, path, token) }
    const message = verify
      ? verificationMail(to, VERIFY_TTL_MS / 3_600_000)
      : resetMail(to, RESET_TTL_MS / 60_000)
    outbox.enqueue(message, { ...about, secret: token })
  }

  /** Makes a verification link for the user's address and queues its mail; records `email.verification_sent`. */
  async function sendVerification(user: Mailed, context: AuditContext = noContext) {
    const events = [audit.event('email.verification_sent', context, { user: user.id })]
    mail(user, 'verify_email', await issue(user, 'verify_email', events))
  }

  /** Spends a verification token: the address is verified. 400 `invalid_verification_token` otherwise. */
  async function verifyEmail(token: string, context: AuditContext = noContext) {
    let events: AuditEvent[] = []
    const user = await store.spendAccountToken(await sha256(token), 'verify_email', now(), {
      patch: { emailVerified: true },
      audit: (u) => (events = [audit.event('email.verified', context, { user: u.id })]),
    })
    if (!user) throw apiError('invalid_verification_token')
    audit.committed(events)
    await directory.invalidate({ kind: 'user', id: user.id })
    return user
  }

  /** The user a reset token is for, while it is live and the user enabled; null otherwise. */
  async function resetTarget(token: string): Promise<UserRecord | null> {
    const found = await store.findAccountToken(await sha256(token), 'reset_password', now())
    const user = found && (await store.findUserById(found.userId))
    return user?.enabled ? user : null
  }

  /**
   * Spends a reset token and sets the password: in the spend's transaction the user's string rotates
   * (every access token of theirs dies), every session ends (so does every refresh family), the other
   * reset links are spent, the address counts as verified (the link proved it), and `password.reset` is
   * recorded; then every instance is told. 400 `invalid_reset_token` when the token was spent meanwhile.
   */
  async function resetPassword(token: string, passwordHash: string, context: AuditContext = noContext) {
    let events: AuditEvent[] = []
    const at = now()
    const hash = await sha256(token)
    const found = await store.findAccountToken(hash, 'reset_password', at)
    if (!found) throw apiError('invalid_reset_token')
    // Announced before it commits (a hold), as every revocation is: an instance that dies between the
    // commit and its publish leaves the others reading this user from the store.
    const user = await directory.revoking([{ kind: 'user', id: found.userId }], () =>
      store.spendAccountToken(hash, 'reset_password', at, {
        patch: { passwordHash, secret: randomToken(32), emailVerified: true },
        end: { reason: 'revoked', now: at },
        audit: (u) => (events = [audit.event('password.reset', context, { user: u.id })]),
      }),
    )
    if (!user) throw apiError('invalid_reset_token')
    audit.committed(events)
    return user
  }

  /**
   * What a forgot-password request does, after its answer: an enabled account with this address gets a
   * new link (the older ones stop working) by mail; either way `password.reset_requested` is recorded.
   */
  async function handleResetRequest(email: string, context: AuditContext) {
    const user = await store.findUserByEmail(email)
    if (!user?.enabled || user.email === null) {
      audit.record(audit.event('password.reset_requested', context, { user: null }))
      return
    }
    const target = user as Mailed
    const events = [audit.event('password.reset_requested', context, { user: user.id })]
    mail(target, 'reset_password', await issue(target, 'reset_password', events))
  }
  const resetRequests = createResetRequests(handleResetRequest, log)

  /** After a registration with an email: the first link. A failure is logged; the account stands. */
  async function welcome(user: UserRecord, context: AuditContext) {
    if (user.email === null) return
    try {
      await sendVerification({ ...user, email: user.email }, context)
    } catch (error) {
      log({ level: 'error', msg: 'verification link not made', user: user.id, error: String(error) })
    }
  }

  return {
    welcome,
    sendVerification,
    verifyEmail,
    resetTarget,
    resetPassword,
    /** Queues a forgot-password request and returns at once: nothing about the account is looked at here. */
    requestReset: resetRequests.enqueue,
    /** Resolves when the queued requests are handled and their mail sent or given up. */
    async idle() {
      await resetRequests.idle()
      await outbox?.idle()
    },
    close() {
      resetRequests.close()
      outbox?.close()
    },
  }
}

export type Recovery = ReturnType<typeof createRecovery>
