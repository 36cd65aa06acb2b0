import { expect, test } from 'vitest'
import { toStoredSession } from './tokens.js'

const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`

test('deadlines come from the relative durations and the send time, never from exp', () => {
  const body = {
    access_token: jwt({ sub: 'u1', exp: 1, iat: 0, role: 'user' }), // exp in 1970: ignored
    token_type: 'Bearer' as const,
    expires_in: 300,
    session: { id: 's', idle_expires_in: 1800, absolute_expires_in: 43_200 },
    user: { id: 'u1', username: 'alice', role: 'user' as const },
  }
  const r = toStoredSession(body, 5_000_000)
  expect(r).toMatchObject({
    accessExpiresAt: 5_300_000,
    idleExpiresAt: 6_800_000,
    absoluteExpiresAt: 5_000_000 + 43_200_000,
    issuedAt: 5_000_000,
  })
  expect(r.refreshToken).toBeUndefined()
})
