import type { AccessClaims, ParsedToken } from './claims.js'

/** A per-user HMAC key, opaque outside the codec that derived it. */
export type SigningKey = { readonly codec: string }

/**
 * HS256 signing and verification with per-user keys. Two implementations give the same verdicts
 * (held to it by a differential test): `nodeCodec` on node:crypto for the server's hot path, and
 * `joseCodec` on jose/WebCrypto, portable to browsers and the msw form.
 */
export interface TokenCodec {
  readonly name: string
  /**
   * HMAC-SHA256 keyed by `globalSecret` (the secret of one key of the keyring), over the global epoch and
   * the user's `secret` (`userSecret`).
   */
  deriveKey(globalSecret: string, epoch: string, userSecret: string): Promise<SigningKey>
  /**
   * The compact JWS of `claims` under `key`, its header `{"alg":"HS256","typ":"JWT","kid":kid}` exactly
   * (`signedHeader(kid)`): `kid` is the keyring's id of the secret `key` was derived from.
   */
  sign(claims: AccessClaims, key: SigningKey, kid: string): Promise<string>
  /** Whether the signature is a valid HS256 MAC of the token under `key`. */
  verify(token: ParsedToken, key: SigningKey): boolean | Promise<boolean>
  /**
   * The key of every token's `sub_mac`: HMAC-SHA256 keyed by `globalSecret` (the secret of the key the
   * token's `kid` names) over `subjectKeyInfo`. It depends on that secret alone, so a token can be checked
   * against it before any user is looked up.
   */
  deriveSubjectKey(globalSecret: string): Promise<SigningKey>
  /** `sub_mac`: the first 16 bytes of HMAC-SHA256(`key`, `sub`), base64url (22 characters). */
  subjectMac(sub: string, key: SigningKey): string | Promise<string>
  /** base64url segment → UTF-8 text. */
  decode(segment: string): string
  /**
   * SHA-256 of a refresh token, hex: how refresh tokens are stored. The node codec answers synchronously
   * (no thread-pool job), so a refresh never queues behind password hashing.
   */
  hashRefreshToken(token: string): string | Promise<string>
}

/** The message the `sub_mac` key is derived from; no per-user key's message (`leash/v1|<epoch>|…`) is this. */
export const subjectKeyInfo = 'leash/v1/sub_mac'

/** How many bytes of HMAC-SHA256 a `sub_mac` keeps: 128 bits, beyond guessing. */
export const SUBJECT_MAC_BYTES = 16

/** The message the per-user key is derived from; both codecs must use exactly this. */
export const keyInfo = (epoch: string, userSecret: string) => `leash/v1|${epoch}|${userSecret}`
