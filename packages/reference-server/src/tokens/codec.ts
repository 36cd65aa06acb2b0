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
  /** HMAC-SHA256 keyed by `globalSecret`, over the global epoch and the user's `secret` (`userSecret`). */
  deriveKey(globalSecret: string, epoch: string, userSecret: string): Promise<SigningKey>
  sign(claims: AccessClaims, key: SigningKey): Promise<string>
  /** Whether the signature is a valid HS256 MAC of the token under `key`. */
  verify(token: ParsedToken, key: SigningKey): boolean | Promise<boolean>
  /** base64url segment → UTF-8 text. */
  decode(segment: string): string
  /**
   * SHA-256 of a refresh token, hex: how refresh tokens are stored. The node codec answers synchronously
   * (no thread-pool job), so a refresh never queues behind password hashing.
   */
  hashRefreshToken(token: string): string | Promise<string>
}

/** The message the per-user key is derived from; both codecs must use exactly this. */
export const keyInfo = (epoch: string, userSecret: string) => `leash/v1|${epoch}|${userSecret}`
