import type { ServerConfig } from '../config.js'
import { StoreUnavailableError } from '../errors.js'
import type { Role, SessionRecord } from '../store/types.js'
import { checkClaims, type ParsedToken, parseToken, signedInWithin } from '../tokens/claims.js'
import type { TokenCodec } from '../tokens/codec.js'
import type { KeyringKey } from '../tokens/keyring.js'
import type { Directory, KeyedUser } from './directory.js'
import { type Refusal, reauthenticationRequired, refusals, storeUnavailable } from './refusal.js'

export interface CheckOptions {
  /** Only users of this role (or these roles) pass; others get 403 `forbidden`, after every other check. */
  role?: Role | readonly Role[]
  /**
   * Only a sign-in (or step-up) at most this many seconds old passes (the token's `auth_time`); an older one
   * gets 401 `reauthentication_required`, last of all.
   */
  maxAge?: number
}

/** What the check reads: cached users (with keys) and sessions, the codec, the claims to expect, a clock. */
export interface CheckDeps {
  directory: Pick<
    Directory,
    | 'user'
    | 'cachedUser'
    | 'userKey'
    | 'keyring'
    | 'session'
    | 'cachedSession'
    | 'subjectMac'
    | 'subjectMacSince'
  >
  codec: TokenCodec
  config: Pick<ServerConfig, 'issuer' | 'audience' | 'iatLeeway' | 'accessTtl'>
  now: () => number
}

/** Builds what a caller gets once every check passed (the app's routes want records, callers a view). */
export type Accept<T> = (keyed: KeyedUser, session: SessionRecord, claims: ParsedToken['payload']) => T

const NO_OPTIONS: CheckOptions = Object.freeze({})
const WHITESPACE = /\s/

/**
 * The token of an `Authorization: Bearer <token>` header (scheme in any case, then spaces, then the token
 * and nothing but spaces), or null. Read by hand: the regular expression it replaces cost an array per request.
 */
export function bearerToken(header: string | null | undefined): string | null {
  if (!header || header.length < 8) return null
  if (
    (header.charCodeAt(0) | 32) !== 98 || // b
    (header.charCodeAt(1) | 32) !== 101 || // e
    (header.charCodeAt(2) | 32) !== 97 || // a
    (header.charCodeAt(3) | 32) !== 114 || // r
    (header.charCodeAt(4) | 32) !== 101 || // e
    (header.charCodeAt(5) | 32) !== 114 || // r
    header.charCodeAt(6) !== 32
  )
    return null
  let start = 7
  while (start < header.length && header.charCodeAt(start) === 32) start += 1
  let end = header.length
  while (end > start && header.charCodeAt(end - 1) === 32) end -= 1
  if (start === end) return null
  const token = header.slice(start, end)
  return WHITESPACE.test(token) ? null : token
}

/** Whether two strings are equal, in time that depends on their length only. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

const hasRole = (role: Role, allowed: Role | readonly Role[]) =>
  typeof allowed === 'string' ? role === allowed : allowed.includes(role)

/**
 * The per-request check, in the protocol's order, as a result rather than an exception: a `Refusal` (one
 * shared frozen value per code) or what `accept` builds. On a warm cache it costs a parse, two map reads and
 * one HMAC, with no store round trip and no await. A store that cannot be reached on a miss is refused
 * 503 `store_unavailable`.
 */
export function createCheck<T>(deps: CheckDeps, accept: Accept<T>) {
  const { directory, codec, config, now } = deps
  const keyring = directory.keyring
  /**
   * The user of a `sub` that is not cached, loaded only when the token carries the MAC of that `sub` under
   * the secret of the key its `kid` names: a token made up without that secret (a random `sub`, each one
   * a cache miss) costs one HMAC here and no store query. A token whose signature verifies was signed by the issuer,
   * `sub_mac` included, so checking it only on a miss changes no verdict.
   */
  const load = async (payload: ParsedToken['payload'], key: KeyringKey): Promise<KeyedUser | null> => {
    const given = payload.sub_mac
    if (given === undefined) {
      // Signed before `sub_mac` existed: such tokens live at most `accessTtl` past the first start of a
      // version that signs it (kept in the store, so a restart does not open the window again).
      if (now() >= (await directory.subjectMacSince()) + config.accessTtl * 1000) return null
    } else if (typeof given !== 'string' || !sameText(given, await directory.subjectMac(payload.sub, key))) {
      return null
    }
    return directory.user(payload.sub)
  }

  return async function check(
    authorization: string | null | undefined,
    options: CheckOptions = NO_OPTIONS,
  ): Promise<T | Refusal> {
    try {
      const token = bearerToken(authorization)
      if (token === null) return refusals.missing_token
      const parsed = parseToken(token, codec.decode)
      if (typeof parsed === 'string') return refusals[parsed]
      const { payload, kid } = parsed
      // The key the token names: one this ring does not hold (retired, or added on another instance a
      // moment ago, which a reload finds) is the client's cue to refresh, never to sign out.
      const secret = keyring.secretOf(kid) ?? (await keyring.find(kid))
      if (secret === undefined) return refusals.retired_key

      const keyed = directory.cachedUser(payload.sub) ?? (await load(payload, { id: kid, secret }))
      if (!keyed) return refusals.invalid_token
      const key = keyed.keys.get(kid) ?? (await directory.userKey(keyed, kid, secret))
      // node:crypto answers at once; only the portable jose codec needs awaiting.
      const verified = codec.verify(parsed, key)
      if (!(verified === true || (verified !== false && (await verified)))) return refusals.invalid_token

      const failure = checkClaims(payload, now() / 1000, config)
      if (failure) return refusals[failure]
      if (!keyed.user.enabled) return refusals.user_disabled

      const session = directory.cachedSession(payload.sid) ?? (await directory.session(payload.sid))
      if (!session || session.endedAt !== null || session.userId !== keyed.user.id)
        return refusals.session_revoked
      if (options.role !== undefined && !hasRole(keyed.user.role, options.role)) return refusals.forbidden
      const { maxAge } = options
      if (maxAge !== undefined && !signedInWithin(payload, now() / 1000, maxAge))
        return reauthenticationRequired(maxAge)
      return accept(keyed, session, payload)
    } catch (error) {
      if (error instanceof StoreUnavailableError) return storeUnavailable(error)
      throw error
    }
  }
}

export type Check<T> = ReturnType<typeof createCheck<T>>
