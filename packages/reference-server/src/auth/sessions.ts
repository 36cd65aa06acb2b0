import type { ServerConfig } from '../config.js'
import { ApiError } from '../errors.js'
import type {
  RefreshTransport,
  SessionEndReason,
  SessionRecord,
  Store,
  UpdateOptions,
  UserPatch,
  UserRecord,
} from '../store/types.js'
import type { AccessClaims } from '../tokens/claims.js'
import type { SigningKey, TokenCodec } from '../tokens/codec.js'
import { randomId, randomToken } from '../tokens/random.js'
import { userDisabled } from './authenticate.js'
import type { Directory } from './directory.js'

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

const refreshError = (
  code: 'invalid_refresh_token' | 'refresh_token_reused' | 'session_expired' | 'session_revoked',
) =>
  new ApiError(
    401,
    code,
    {
      invalid_refresh_token: 'The refresh token is not valid.',
      refresh_token_reused: 'This refresh token was used already; the session has been ended to protect it.',
      session_expired: 'The session has timed out; sign in again.',
      session_revoked: 'The session has ended; sign in again.',
    }[code],
  )

/** Sessions as refresh-token families: start, rotate with reuse detection, end; and user-string rotation. */
export function createSessions(deps: {
  store: Store
  directory: Directory
  codec: TokenCodec
  config: ServerConfig
  now: () => number
}) {
  const { store, directory, codec, config, now } = deps
  const hash = (token: string) => codec.hashRefreshToken(token)

  /** Signs an access token for the session; it never outlives the session's idle or absolute end. */
  async function sign(user: UserRecord, key: SigningKey, session: SessionRecord, at: number, ttl?: number) {
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
    }
    return { accessToken: await codec.sign(claims, key), expiresIn: exp - iat, issuedAt: at }
  }

  async function start(user: UserRecord, transport: RefreshTransport): Promise<Issued> {
    const at = now()
    const session: SessionRecord = {
      id: randomId(),
      userId: user.id,
      createdAt: at,
      lastRefreshAt: at,
      absoluteExpiresAt: at + config.absoluteTimeout * 1000,
      transport,
      endedAt: null,
      endReason: null,
    }
    const refreshToken = randomToken(32)
    await store.createSession(session, await hash(refreshToken))
    const key = await directory.keyFor(user)
    return { user, session, refreshToken, ...(await sign(user, key, session, at)) }
  }

  async function end(sessionId: string, reason: SessionEndReason): Promise<boolean> {
    const ended = await store.endSession(sessionId, reason, now())
    await directory.invalidate({ kind: 'session', id: sessionId })
    return ended
  }

  /**
   * Rotates the refresh token. A used token is accepted once more within the reuse interval (a client whose
   * response was lost); any other second use ends the whole family.
   */
  async function refresh(refreshToken: string): Promise<Issued> {
    const at = now()
    const used = await store.useRefreshToken(await hash(refreshToken), at)
    const session = used && (await store.findSession(used.sessionId))
    const user = session && (await store.findUserById(session.userId))
    if (!used || !session || !user) throw refreshError('invalid_refresh_token')
    if (!user.enabled) throw userDisabled()
    if (session.endedAt !== null) {
      throw refreshError(session.endReason === 'timeout' ? 'session_expired' : 'session_revoked')
    }
    if (at >= session.absoluteExpiresAt || at >= session.lastRefreshAt + config.idleTimeout * 1000) {
      await end(session.id, 'timeout')
      throw refreshError('session_expired')
    }
    const retry = used.useCount === 2 && at - (used.usedAt ?? at) <= config.reuseInterval * 1000
    if (used.useCount !== 1 && !retry) {
      await end(session.id, 'reuse')
      throw refreshError('refresh_token_reused')
    }
    const next = randomToken(32)
    if (!(await store.rotateSession(session.id, await hash(next), at))) throw refreshError('session_revoked')
    await directory.invalidate({ kind: 'session', id: session.id })
    const rotated = { ...session, lastRefreshAt: at }
    const key = await directory.keyFor(user)
    return { user, session: rotated, refreshToken: next, ...(await sign(user, key, rotated, at)) }
  }

  /** The session a refresh token belongs to (logout by refresh token; the token is spent, as the session ends). */
  async function sessionOfRefreshToken(refreshToken: string): Promise<SessionRecord | null> {
    const used = await store.useRefreshToken(await hash(refreshToken), now())
    return used && store.findSession(used.sessionId)
  }

  /**
   * Changes the user and rotates the user's string in one transaction, ending every session: every token
   * the user holds dies at the next request, on every instance.
   */
  async function rotateUser(
    userId: string,
    patch: UserPatch,
    reason: SessionEndReason,
    options?: UpdateOptions,
  ) {
    const secret = randomToken(32)
    const user = await store.updateUser(userId, { ...patch, secret }, { reason, now: now() }, options)
    await directory.invalidate({ kind: 'user', id: userId })
    return user
  }

  /** The one-second token logout returns in place of the old one: it names the ended session. */
  async function farewell(user: UserRecord, session: SessionRecord) {
    return sign(user, await directory.keyFor(user), session, now(), 1)
  }

  return { start, refresh, end, rotateUser, farewell, sessionOfRefreshToken }
}

export type Sessions = ReturnType<typeof createSessions>
