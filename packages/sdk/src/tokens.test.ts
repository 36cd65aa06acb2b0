import { expect, test } from 'vitest'
import { readClaims, toRecord } from './tokens.js'

const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`

test('deadlines come from the relative durations and the send time, never from exp', () => {
  const body = {
    access_token: jwt({ sub: 'u1', exp: 1, iat: 0, role: 'user' }), // exp in 1970: ignored
    token_type: 'Bearer' as const,
    expires_in: 300,
    session: { id: 's', idle_expires_in: 1800, absolute_expires_in: 43_200 },
    user: { id: 'u1', username: 'alice', role: 'user' as const },
  }
  const r = toRecord(body, 5_000_000)
  expect(r).toMatchObject({
    accessExpiresAt: 5_300_000,
    idleExpiresAt: 6_800_000,
    absoluteExpiresAt: 5_000_000 + 43_200_000,
    issuedAt: 5_000_000,
  })
  expect(r.refreshToken).toBeUndefined()
})

test('readClaims decodes without verifying and survives garbage', () => {
  expect(readClaims(jwt({ sub: 'u1', sid: 's1' }))).toMatchObject({ sub: 'u1', sid: 's1' })
  expect(readClaims(jwt({ sub: 'ünï-☃', role: 'admin' }))).toMatchObject({ sub: 'ünï-☃', role: 'admin' })
  const b64 = (text: string) => Buffer.from(text).toString('base64url')
  for (const junk of ['not a jwt', 'a.!!!.c', `a.${b64('[1]')}.c`, `a.${b64('null')}.c`, `a.${b64('{')}.c`])
    expect(readClaims(junk)).toEqual({})
})
