import { Hono } from 'hono'
import type { LeashEnv } from '../middleware/require-session.js'
import type { Role } from '../store/types.js'
import { b64url, claimsOf, forge, type TestServer } from './harness.js'

// What adapters/adapter.conformance.test.ts holds every framework's requireSession to: the Hono middleware's
// answer (itself held to the server's own /auth/me by middleware/require-session.test.ts), case by case.

/** What a client sees of a refusal: status, the two headers the protocol adds, the body. */
export interface Seen {
  status: number
  wwwAuthenticate: string | null
  retryAfter: string | null
  body: unknown
}

export async function seenOf(res: Response): Promise<Seen> {
  return {
    status: res.status,
    wwwAuthenticate: res.headers.get('www-authenticate'),
    retryAfter: res.headers.get('retry-after'),
    body: await res.json(),
  }
}

export interface RefusalCase {
  /** The code the protocol answers. */
  code: string
  authorization: string | undefined
  /** The route's role, when the case is about it. */
  role?: Role
}

const HS256 = { alg: 'HS256', typ: 'JWT' }

/**
 * One Authorization header per failure of the check list (several for some), plus a disabled user and a
 * user of the wrong role. Signs in alice and bob on `s`, and disables bob.
 */
export async function refusalCases(s: TestServer): Promise<RefusalCase[]> {
  const alice = await s.login('alice')
  const key = await s.rawKey(alice.user.id)
  const claims = claimsOf(alice.access_token)
  const [h, p, sig] = alice.access_token.split('.') as [string, string, string]
  const bearer = (token: string) => `Bearer ${token}`
  const bob = await s.login('bob')
  await s.app.admin.disable(bob.user.id)
  return [
    { code: 'missing_token', authorization: undefined },
    { code: 'missing_token', authorization: `Basic ${b64url('alice:alice-password')}` },
    { code: 'missing_token', authorization: alice.access_token },
    { code: 'malformed_token', authorization: bearer(`${h}.${p}`) },
    { code: 'invalid_token', authorization: bearer(forge({ alg: 'none', typ: 'JWT' }, claims, key)) },
    { code: 'invalid_token', authorization: bearer(forge(HS256, { ...claims, sub: 'no-such-user' }, key)) },
    { code: 'invalid_token', authorization: bearer(`${h}.${b64url({ ...claims, role: 'admin' })}.${sig}`) },
    { code: 'invalid_token', authorization: bearer(forge(HS256, { ...claims, aud: 'elsewhere' }, key)) },
    {
      code: 'token_expired',
      authorization: bearer(forge(HS256, { ...claims, exp: (claims.iat as number) - 1 }, key)),
    },
    {
      code: 'session_revoked',
      authorization: bearer(forge(HS256, { ...claims, sid: 'no-such-session' }, key)),
    },
    { code: 'user_disabled', authorization: bearer(bob.access_token) },
    { code: 'forbidden', authorization: bearer(alice.access_token), role: 'admin' },
  ]
}

/** The Hono middleware's answer to a request on a route behind `requireSession({ role })`. */
export function honoAnswer(s: TestServer) {
  const app = new Hono<LeashEnv>()
  app.get('/user', s.app.requireSession(), (c) => c.json({ ok: true }))
  app.get('/admin', s.app.requireSession({ role: 'admin' }), (c) => c.json({ ok: true }))
  return async (authorization: string | undefined, role?: Role) =>
    seenOf(
      await app.request(role ? '/admin' : '/user', {
        headers: authorization === undefined ? {} : { authorization },
      }),
    )
}
