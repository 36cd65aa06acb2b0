import type { Role } from '../store/types.js'
import { DEFAULT_KEY_ID, KEY_ID } from './keyring.js'

/** The claims of every access token the server signs. Times are epoch seconds. */
export interface AccessClaims {
  iss: string
  aud: string
  sub: string
  sid: string
  jti: string
  iat: number
  exp: number
  role: Role
  /**
   * When the user last proved their password in this session (OIDC's `auth_time`): the sign-in, or a later
   * step-up. A refresh copies it and never moves it. Absent from tokens signed before it was introduced;
   * such a token never satisfies a `maxAge`.
   */
  auth_time?: number
  /**
   * A MAC of `sub` under a key derived from the global secret alone (`TokenCodec.subjectMac`): checked before
   * the user is looked up, so a token made up without the global secret never costs a store query. Absent
   * from tokens signed before it was introduced.
   */
  sub_mac?: string
}

/** The protected header the server signs with, before its `kid` (the keyring's id of the key that signed). */
export const JWT_HEADER = { alg: 'HS256', typ: 'JWT' } as const

/** The header of a token signed with the key `kid`: `{"alg":"HS256","typ":"JWT","kid":…}`, in that order. */
export const jwtHeader = (kid: string) => ({ ...JWT_HEADER, kid })

/** The code a token earns at a step of the bearer checks. */
export type TokenFailure = 'malformed_token' | 'invalid_token' | 'token_expired'

/** A compact JWS split and decoded, before its signature is checked. */
export interface ParsedToken {
  token: string
  header: Record<string, unknown>
  /** The key the header names (`kid`); `default` for a token without one (signed before key ids). */
  kid: string
  payload: Record<string, unknown> & { sub: string; sid: string; exp: number; iat: number }
  /** `header.payload`, the bytes the signature covers. */
  signingInput: string
  signature: string
}

const base64url = (text: string) => btoa(text).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')

/**
 * The header segments of the tokens the server signs, by the segment itself: recognised as is, without
 * decoding and parsing them. Filled by `signedHeader` for the ids of keyrings (never by a token's header).
 */
const SIGNED_HEADERS = new Map<string, Readonly<Record<string, unknown>>>([
  [base64url(JSON.stringify(JWT_HEADER)), Object.freeze({ ...JWT_HEADER })],
])
const SEGMENT_OF = new Map<string, string>()

/** The base64url header segment of a token signed with the key `kid` (an id of a keyring: `KEY_ID`). */
export function signedHeader(kid: string): string {
  let segment = SEGMENT_OF.get(kid)
  if (segment === undefined) {
    if (!KEY_ID.test(kid)) throw new Error(`not a key id: ${JSON.stringify(kid)}`)
    segment = base64url(JSON.stringify(jwtHeader(kid)))
    SEGMENT_OF.set(kid, segment)
    SIGNED_HEADERS.set(segment, Object.freeze(jwtHeader(kid)))
  }
  return segment
}

const B64URL_SEGMENT = /^[A-Za-z0-9_-]+$/
/** The last character of a canonical 43-character base64url encoding of 32 bytes (its low two bits are zero). */
const CANONICAL_LAST = 'AEIMQUYcgkosw048'
const FORBIDDEN_HEADERS = ['crit', 'jku', 'x5u', 'jwk', 'x5c', 'b64']

function json(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null
  } catch {
    return null
  }
}

/** `sub` and `sid` are looked up in the store, and PostgreSQL refuses NUL in text: no id of ours holds one. */
const isId = (value: unknown): value is string => typeof value === 'string' && !value.includes('\0')

/** A header that allows exactly HS256 and names nothing to fetch a key from; null otherwise. */
function allowedHeader(text: string): Record<string, unknown> | null {
  const header = json(text)
  if (header?.alg !== 'HS256') return null
  if (header.typ !== undefined && header.typ !== 'JWT') return null
  for (const name of FORBIDDEN_HEADERS) if (name in header) return null
  // A key id is one a keyring could hold; whether this server holds it is the check's to say.
  if (header.kid !== undefined && (typeof header.kid !== 'string' || !KEY_ID.test(header.kid))) return null
  return header
}

/**
 * Steps 1–3 of the protocol's bearer checks, without the user lookup: three base64url parts, a header that
 * allows exactly HS256, nothing that points elsewhere for a key and no `kid` but a key id, and the claims
 * the server needs.
 * `decode` turns a base64url segment into UTF-8 text (Buffer in Node, atob in a browser).
 */
export function parseToken(token: string, decode: (segment: string) => string): ParsedToken | TokenFailure {
  const first = token.indexOf('.')
  const second = first < 0 ? -1 : token.indexOf('.', first + 1)
  if (first < 0 || second < 0 || token.indexOf('.', second + 1) >= 0) return 'malformed_token'
  const h = token.slice(0, first)
  const p = token.slice(first + 1, second)
  const s = token.slice(second + 1)
  const signed = SIGNED_HEADERS.get(h)
  if ((signed === undefined && !B64URL_SEGMENT.test(h)) || !B64URL_SEGMENT.test(p) || !B64URL_SEGMENT.test(s))
    return 'malformed_token'
  // An HS256 MAC is 32 bytes; only its one canonical spelling is accepted, so a signature cannot be altered
  // in its padding bits and still pass.
  if (s.length !== 43 || !CANONICAL_LAST.includes(s[42]!)) return 'invalid_token'

  const header = signed ?? allowedHeader(decode(h))
  if (!header) return 'invalid_token'

  const payload = json(decode(p))
  if (
    !payload ||
    !isId(payload.sub) ||
    !isId(payload.sid) ||
    !Number.isFinite(payload.exp) ||
    !Number.isFinite(payload.iat)
  ) {
    return 'invalid_token'
  }
  return {
    token,
    header,
    kid: typeof header.kid === 'string' ? header.kid : DEFAULT_KEY_ID,
    payload: payload as ParsedToken['payload'],
    signingInput: token.slice(0, second),
    signature: s,
  }
}

/**
 * Whether the token's sign-in (`auth_time`) is at most `maxAge` seconds old at `nowSeconds`. A token without
 * a numeric `auth_time` (signed before it existed, or made up) is not: the safe answer is "sign in again".
 */
export function signedInWithin(
  payload: Record<string, unknown>,
  nowSeconds: number,
  maxAge: number,
): boolean {
  const at = payload.auth_time
  return typeof at === 'number' && Number.isFinite(at) && nowSeconds - at <= maxAge
}

/** Step 5: expiry first (the client's cue to refresh), then issue time and who the token is for. */
export function checkClaims(
  payload: ParsedToken['payload'],
  nowSeconds: number,
  expect: { issuer: string; audience: string; iatLeeway: number },
): TokenFailure | null {
  if (payload.exp <= nowSeconds) return 'token_expired'
  if (payload.iat > nowSeconds + expect.iatLeeway) return 'invalid_token'
  if (payload.iss !== expect.issuer) return 'invalid_token'
  const aud = payload.aud
  if (Array.isArray(aud) ? !aud.includes(expect.audience) : aud !== expect.audience) return 'invalid_token'
  return null
}
