/** Hashes and checks passwords. `verify` takes about as long for a wrong password as for a right one. */
export interface PasswordHasher {
  hash(password: string): Promise<string>
  verify(password: string, stored: string): Promise<boolean>
}

const utf8 = new TextEncoder()

function hex(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out
}

/** Constant-time comparison of two equal-length hex strings. */
export function sameHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/**
 * PBKDF2-SHA256 on WebCrypto: portable, for the msw form and tests (where a fast hasher keeps suites quick).
 * OWASP asks 600,000 iterations for production use; the Node server uses scrypt instead.
 */
export function createPbkdf2Hasher(iterations = 600_000): PasswordHasher {
  const derive = async (password: string, salt: Uint8Array<ArrayBuffer>, rounds: number) => {
    const key = await crypto.subtle.importKey('raw', utf8.encode(password), 'PBKDF2', false, ['deriveBits'])
    const bits = await crypto.subtle.deriveBits(
      { name: 'PBKDF2', hash: 'SHA-256', salt, iterations: rounds },
      key,
      256,
    )
    return hex(new Uint8Array(bits))
  }
  return {
    async hash(password) {
      const salt = crypto.getRandomValues(new Uint8Array(16))
      return `pbkdf2$${iterations}$${hex(salt)}$${await derive(password, salt, iterations)}`
    },
    async verify(password, stored) {
      const [scheme, rounds, saltHex, expected] = stored.split('$')
      if (scheme !== 'pbkdf2' || !rounds || !saltHex || !expected) return false
      const salt = new Uint8Array(saltHex.match(/../g)?.map((h) => Number.parseInt(h, 16)) ?? [])
      return sameHex(await derive(password, salt, Number(rounds)), expected)
    },
  }
}
