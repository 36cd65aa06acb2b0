/** Portable randomness and hashing (WebCrypto), for the server and its msw form alike. */

function toBase64url(bytes: Uint8Array): string {
  let bin = ''
  for (const b of bytes) bin += String.fromCharCode(b)
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** `bytes` random bytes as base64url; 32 bytes (256 bits) for refresh tokens and users' `secret`s. */
export function randomToken(bytes = 32): string {
  return toBase64url(crypto.getRandomValues(new Uint8Array(bytes)))
}

/** A random identifier for users, sessions, notes and `jti`. */
export function randomId(): string {
  return crypto.randomUUID()
}

/** SHA-256 of the text, hex: how refresh tokens are stored. */
export async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))
  let hex = ''
  for (const b of digest) hex += b.toString(16).padStart(2, '0')
  return hex
}
