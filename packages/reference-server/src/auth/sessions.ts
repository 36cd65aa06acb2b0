import { MAX_LISTED_SESSIONS, MAX_USER_AGENT_LENGTH, SESSION_CAP_ACTOR } from '@leash/protocol'
import type { ServerConfig } from '../config.js'
import { apiError } from '../errors.js'
import type {
  AuditEvent,
  RefreshTransport,
  SessionEndReason,
  SessionRecord,
  SpentRefreshToken,
  Store,
  UpdateOptions,
  UserPatch,
  UserRecord,
} from '../store/types.js'
import type { AccessClaims } from '../tokens/claims.js'
import type { TokenCodec } from '../tokens/codec.js'
import { randomId, randomToken } from '../tokens/random.js'
import { createRefreshTokens } from '../tokens/refresh-token.js'
import { type Audit, type AuditContext, noContext } from './audit.js'
import type { Directory, SignerKey } from './directory.js'
import { unauthorized, userDisabled } from './refusal.js'

/** What a token response is built from. */
export interface Issued {
  user: UserRecord
  session: SessionRecord
  accessToken: string
  /** Seconds the access token lives, from its `iat`. */
  expiresIn: number
  /** When it was issued (epoch ms): the durations in the response count from here. */
  issuedAt: number
  /** Present when a new refresh token was minted (login, refresh, password change). */
  refreshToken?: string
}

/**
 * A User-Agent as a session keeps it: as given, cut to `MAX_USER_AGENT_LENGTH`; null when there is none.
 * One with NUL (no HTTP parser lets one through, but `app.fetch` can be handed anything) is dropped
 * rather than fail the sign-in on a store that cannot hold it.
 */
export function keptUserAgent(header: string | undefined): string | null {
  if (!header || header.includes('\0')) return null
  return header.slice(0, MAX_USER_AGENT_LENGTH)
}

const refreshError = (
  code: 'invalid_refresh_token' | 'refresh_token_reused' | 'session_expired' | 'session_revoked',
) => apiError(code)

/** Sessions as refresh-token families: start, rotate with reuse detection, end; and rotation of a user's `secret`. */
export function createSessions(deps: {
  store: Store
  directory: Directory
  codec: TokenCodec
  config: ServerConfig
  now: () => number
  audit: Audit
}) {
  const { store, directory, codec, config, now, audit } = deps
  const hash = (token: string) => codec.hashRefreshToken(token)
  // Refresh tokens carry a tag made with the keyring signer's secret, recognised under any key of the ring.
  const refreshTokens = createRefreshTokens(hash, () => directory.keyring.secrets())
  const idleTimeoutMs = config.idleTimeout * 1000

  /** Signs an access token for the session; it never outlives the session's idle or absolute end. */
  async function sign(user: UserRecord, signer: SignerKey, session: SessionRecord, at: number, ttl?: number) {
    const iat = Math.floor(at / 1000)
    const end = Math.min(session.lastRefreshAt + config.idleTimeout * 1000, session.absoluteExpiresAt)
    const exp = ttl === undefined ? Math.min(iat + config.accessTtl, Math.floor(end / 1000)) : iat + ttl
    const claims: AccessClaims = {
      iss: config.issuer,
      aud: config.audience,
      sub: user.id,
      sid: session.id,
      jti: randomId(),
      iat,
      exp,
      role: user.role,
      auth_time: Math.floor(session.authTime / 1000),
      sub_mac: await directory.subjectMac(user.id, signer.ringKey),
    }
    return {
      accessToken: await codec.sign(claims, signer.key, signer.ringKey.id),
      expiresIn: exp - iat,
      issuedAt: at,
    }
  }

  /**
   * A new session of the user; `userAgent` is the sign-in request's header, kept by `keptUserAgent`. A
   * sign-in (`signIn`) is recorded as `login.succeeded`; sessions the cap ends as `session.revoked`, both
   * in the session's transaction.
   */
  async function start(
    user: UserRecord,
    transport: RefreshTransport,
    userAgent?: string,
    context: AuditContext = noContext,
    signIn = true,
  ): Promise<Issued> {
    const at = now()
    const session: SessionRecord = {
      id: randomId(),
      userId: user.id,
      createdAt: at,
      lastRefreshAt: at,
      absoluteExpiresAt: at + config.absoluteTimeout * 1000,
      authTime: at,
      transport,
      userAgent: keptUserAgent(userAgent),
      endedAt: null,
      endReason: null,
    }
    const refreshToken = await refreshTokens.issue(session.id)
    const tokenHash = await hash(refreshToken)
    // Beyond the cap, the least recently used sessions end with the sign-in, and every instance drops them.
    const cap = { max: config.maxSessions, now: at, idleTimeoutMs }
    let events: AuditEvent[] = []
    const create = () =>
      store.createSession(session, tokenHash, cap, (ended) => {
        const fields = { user: user.id, actor: user.id, session: session.id }
        events = [
          ...(signIn ? [audit.event('login.succeeded', context, fields)] : []),
          ...ended.map((id) =>
            audit.event('session.revoked', context, { user: user.id, actor: SESSION_CAP_ACTOR, session: id }),
          ),
        ]
        return events
      })
    // At the cap, the sign-in ends sessions it cannot name beforehand: the user is held (its sessions with it).
    const live = await store.listSessions(user.id, { ...cap, limit: cap.max })
    const atCap = live.length >= cap.max
    const evicted = atCap ? await directory.revoking([{ kind: 'user', id: user.id }], create) : await create()
    audit.committed(events)
    // Said again by id: a sign-in that raced this one to the cap ended sessions without the user held.
    await Promise.all(evicted.map((id) => directory.invalidate({ kind: 'session', id })))
    const key = await directory.keyFor(user)
    return { user, session, refreshToken, ...(await sign(user, key, session, at)) }
  }

  /** Every revocation of a session: announced to every instance before it commits, released after. */
  const revokingSession = <T>(id: string, change: () => Promise<T>) =>
    directory.revoking([{ kind: 'session', id }], change)

  async function end(sessionId: string, reason: SessionEndReason, events?: AuditEvent[]): Promise<boolean> {
    const ended = await revokingSession(sessionId, () => store.endSession(sessionId, reason, now(), events))
    if (ended && events) audit.committed(events)
    return ended
  }

  /** The user's live sessions, newest first: those a refresh would still accept. */
  const list = (userId: string) =>
    store.listSessions(userId, { now: now(), idleTimeoutMs, limit: MAX_LISTED_SESSIONS })

  /**
   * Ends one of the user's own live sessions ('revoked'), then tells every instance, as logout does: its
   * access tokens answer `session_revoked` at the next request and its refresh token is refused. False,
   * changing nothing, when the id names no live session of this user: every instance drops it all the
   * same (a retry whose first try ended it on an instance that died before saying so).
   */
  async function revoke(userId: string, sessionId: string, context = noContext): Promise<boolean> {
    const events = [audit.event('session.revoked', context, { user: userId, session: sessionId })]
    const live = { now: now(), idleTimeoutMs }
    const ended = await revokingSession(sessionId, () =>
      store.endUserSession(userId, sessionId, 'revoked', live, events),
    )
    if (ended) audit.committed(events)
    return ended
  }

  const policy = { reuseIntervalMs: config.reuseInterval * 1000, idleTimeoutMs }

  /**
   * Presents a refresh token under the one-live-token rule (store/refresh-rule.ts), judged and applied
   * atomically by the store, its session held on every instance meanwhile (a presentation may end it):
   * every instance drops the session, whatever the verdict, an ended one included. With `rotate`, a token
   * of the same family is issued (`next`, when accepted); without, the session ends (logout). The store forgets
   * tokens the rule no longer needs, so the family the token names goes along: an old token it no longer
   * holds is still judged as its family's (reuse). Null for an unknown token.
   */
  async function spend(refreshToken: string, rotate: boolean, at: number, context: AuditContext) {
    const presented = await hash(refreshToken)
    // A token from before tags names no family: the store's record of it does, while it has one.
    const family =
      (await refreshTokens.familyOf(refreshToken)) ??
      (await store.findRefreshFamily(presented))?.session.id ??
      null
    if (family === null) return null
    const next = rotate ? await refreshTokens.issue(family) : null
    const nextHash = next === null ? null : await hash(next)
    // Reuse revokes the family in the presentation's own transaction, and so is its event; a logout too.
    let events: AuditEvent[] = []
    const present = () =>
      store.spendRefreshToken(presented, nextHash, at, policy, family, ({ verdict, session }) => {
        const fields = { user: session.userId, session: session.id }
        if (verdict === 'reused')
          events = [
            audit.event('refresh.reuse_detected', context, { ...fields, code: 'refresh_token_reused' }),
          ]
        else if (!rotate && (verdict === 'rotate' || verdict === 'retry'))
          events = [audit.event('session.signed_out', context, { ...fields, actor: session.userId })]
        return events
      })
    const spent = await revokingSession(family, present)
    audit.committed(events)
    return spent && { ...spent, next }
  }

  /** The error a verdict calls for, or null when the token was accepted. */
  const verdictError = ({ verdict, session }: SpentRefreshToken) => {
    if (verdict === 'rotate' || verdict === 'retry') return null
    if (verdict === 'reused') return refreshError('refresh_token_reused')
    if (verdict === 'expired' || session.endReason === 'timeout') return refreshError('session_expired')
    return refreshError('session_revoked')
  }

  /**
   * Rotates the refresh token: the family's live token, or the one it replaced retried once within the
   * reuse interval, gets a new one that becomes the family's only live token; any other use ends it.
   */
  async function refresh(
    refreshToken: string,
    context = noContext,
    seen?: (session: SessionRecord) => void,
  ): Promise<Issued> {
    const at = now()
    const spent = await spend(refreshToken, true, at, context)
    if (spent) seen?.(spent.session) // for the refusal's event, should it be refused
    const user = spent && (await store.findUserById(spent.session.userId))
    if (!spent?.next || !user) throw refreshError('invalid_refresh_token')
    const next = spent.next
    const refused = verdictError(spent)
    if (!user.enabled) {
      if (!refused) await end(spent.session.id, 'disabled') // disabled in the instant since it was judged
      throw userDisabled()
    }
    if (refused) throw refused
    const key = await directory.keyFor(user)
    return { user, session: spent.session, refreshToken: next, ...(await sign(user, key, spent.session, at)) }
  }

  /**
   * Logout by refresh token: the token the client may present (as for a refresh) ends its session; a
   * stale one is reuse and ends the family without a farewell. Returns the ended session and its user.
   */
  async function logoutWithRefreshToken(refreshToken: string, context = noContext) {
    const spent = await spend(refreshToken, false, now(), context)
    const user = spent && (await store.findUserById(spent.session.userId))
    if (!spent || !user) throw unauthorized('session_revoked')
    const refused = verdictError(spent)
    if (refused?.code === 'refresh_token_reused') throw refused
    if (refused) throw unauthorized('session_revoked')
    return { user, session: spent.session }
  }

  /**
   * Changes the user and rotates the user's `secret` in one transaction, ending every session: every token
   * the user holds dies at the next request, on every instance.
   */
  async function rotateUser(
    userId: string,
    patch: UserPatch,
    reason: SessionEndReason,
    options?: UpdateOptions,
  ) {
    const secret = randomToken(32)
    const user = await directory.revoking([{ kind: 'user', id: userId }], () =>
      store.updateUser(userId, { ...patch, secret }, { reason, now: now() }, options),
    )
    if (user && options?.audit) audit.committed(options.audit)
    return user
  }

  /**
   * A step-up: the session's sign-in time becomes now (with `session.reauthenticated`, in one transaction),
   * and a new access token carries it. The refresh token stays (see `POST /auth/reauthenticate`). The
   * caller has checked the password. Every instance drops the session it cached.
   */
  async function reauthenticate(user: UserRecord, sessionId: string, context = noContext): Promise<Issued> {
    const at = now()
    const fields = { user: user.id, actor: user.id, session: sessionId }
    const events = [audit.event('session.reauthenticated', context, fields)]
    const session = await store.setAuthTime(sessionId, at, events)
    if (!session) throw unauthorized('session_revoked') // ended since the bearer check
    audit.committed(events)
    await directory.invalidate({ kind: 'session', id: session.id })
    return { user, session, ...(await sign(user, await directory.keyFor(user), session, at)) }
  }

  /** The one-second token logout returns in place of the old one: it names the ended session. */
  async function farewell(user: UserRecord, session: SessionRecord) {
    return sign(user, await directory.keyFor(user), session, now(), 1)
  }

  return {
    start,
    refresh,
    reauthenticate,
    end,
    list,
    revoke,
    rotateUser,
    farewell,
    logoutWithRefreshToken,
  }
}

export type Sessions = ReturnType<typeof createSessions>
