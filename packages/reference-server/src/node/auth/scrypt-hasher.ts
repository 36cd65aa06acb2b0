import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import type { PasswordHasher } from '../../auth/passwords.js'

/** scrypt cost parameters; OWASP's minimum is N=2^17, r=8, p=1 (128 MiB per hash). */
export interface ScryptParams {
  N: number
  r: number
  p: number
}

export const OWASP_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 }

function derive(password: string, salt: Buffer, { N, r, p }: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize('NFKC'),
      salt,
      32,
      { N, r, p, maxmem: 256 * N * r + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  )
}

/** The server's hasher: scrypt from node:crypto (off the event loop, in libuv's pool). */
export function createScryptHasher(params: ScryptParams = OWASP_SCRYPT): PasswordHasher {
  return {
    async hash(password) {
      const salt = randomBytes(16)
      const key = await derive(password, salt, params)
      return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`
    },
    async verify(password, stored) {
      const [scheme, N, r, p, salt, expected] = stored.split('$')
      if (scheme !== 'scrypt' || !N || !r || !p || !salt || !expected) return false
      const want = Buffer.from(expected, 'base64url')
      const got = await derive(password, Buffer.from(salt, 'base64url'), { N: +N, r: +r, p: +p })
      return got.length === want.length && timingSafeEqual(got, want)
    },
  }
}
