import { randomToken } from './random.js'

const UUID = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/
/** 43 random base64url characters (256 bits), the session id as 32 hex digits, its 32-hex-digit tag. */
const TAGGED = /^[A-Za-z0-9_-]{43}([0-9a-f]{32})([0-9a-f]{32})$/

/**
 * Refresh tokens that name their family. A store keeps only the tokens the refresh rule still needs (the
 * live one and the one it replaced); an older one presented again must still be known as its family's, so
 * that the replay ends the family (theft detection) instead of passing as an unknown token. So each token
 * carries its session id and a tag that only this server can make for it: the first 128 bits of
 * SHA-256("leash/v1/refresh-family|" + globalSecret + "|" + session id), compared in constant time.
 * Whoever holds a genuine token of the family holds the tag too, and could end the family by replaying
 * that token anyway; without one (a resource server that sees `sid` in access tokens, a database dump)
 * a token naming the family cannot be made. Still 256 random bits each, still stored only as a hash.
 * Tokens issued before tags existed (43 characters) are still accepted; they name no family.
 *
 * With a keyring, `secrets` gives every secret of the ring, the signer's first: a tag is made under the
 * signer's and recognised under any key still in the ring, so no refresh token depends on which key
 * signs: a rotation ends no session. (The one-key form's tag is the same as before key ids.) Once a key
 * is retired, a replay of a token the store no longer keeps whose tag was made under it names no family:
 * it is answered `invalid_refresh_token` instead of ending the family (see the README's security model).
 */
export function createRefreshTokens(
  hash: (text: string) => string | Promise<string>,
  secrets: string | (() => readonly string[]),
) {
  const ring = typeof secrets === 'string' ? () => [secrets] : secrets
  const tagOf = async (secret: string, hex: string) =>
    (await hash(`leash/v1/refresh-family|${secret}|${hex}`)).slice(0, 32)
  const same = (a: string, b: string) => {
    let diff = 0
    for (let i = 0; i < 32; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
    return diff === 0
  }

  return {
    /** A new refresh token of the session `sessionId` (a UUID, as every session id the server makes). */
    async issue(sessionId: string): Promise<string> {
      const parts = UUID.exec(sessionId)
      if (!parts) return randomToken(32) // not one of ours: a token that names no family
      const hex = parts.slice(1).join('')
      return `${randomToken(32)}${hex}${await tagOf(ring()[0]!, hex)}`
    },
    /** The session id the token names when its tag is this server's; null for any other string. */
    async familyOf(token: string): Promise<string | null> {
      const parts = TAGGED.exec(token)
      if (!parts) return null
      const [, hex, tag] = parts as unknown as [string, string, string]
      let known = false
      // Every key is tried, so the time taken does not tell which one (if any) made the tag.
      for (const secret of ring()) if (same(await tagOf(secret, hex), tag)) known = true
      if (!known) return null
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
    },
  }
}

export type RefreshTokens = ReturnType<typeof createRefreshTokens>
