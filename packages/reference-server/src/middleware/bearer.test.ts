import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { nodeCodec } from '../node/tokens/node-codec.js'
import {
  b64url,
  claimsOf,
  codeOf,
  forge,
  GLOBAL_SECRET,
  type TestServer,
  testServer,
} from '../test/harness.js'
import type { AccessClaims } from '../tokens/claims.js'
import type { TokenCodec } from '../tokens/codec.js'
import { joseCodec } from '../tokens/jose-codec.js'

// The protocol's "Checks on every Bearer request", in order, each with its status and code, against
// hand-made attack tokens. Every attack token is MAC'd with the user's real key wherever the attack allows,
// so that what rejects it is the check under test, not a bad signature.

/** The header the server signs with: HS256, and the one-key form's key id. */
const HS256 = { alg: 'HS256', typ: 'JWT', kid: 'default' }

async function expect401(res: Response, code: string, error = 'invalid_token') {
  expect(res.status).toBe(401)
  expect(res.headers.get('www-authenticate')).toBe(`Bearer error="${error}"`)
  expect(await codeOf(res)).toBe(code)
}

/** alice signed in, her real key, and the claims of her real access token. */
async function signedIn(s: TestServer) {
  const t = await s.login('alice')
  const alice = await s.user('alice')
  const key = await s.rawKey(alice.id)
  const claims = claimsOf(t.access_token)
  const [h, p, sig] = t.access_token.split('.') as [string, string, string]
  return { t, alice, key, claims, h, p, sig }
}

const disable = async (s: TestServer, userId: string) => {
  const root = await s.login('root')
  const res = await s.bearer(root.access_token, 'POST', `/admin/users/${userId}/disable`)
  expect(res.status).toBe(200)
}

const endSession = async (s: TestServer, refreshToken: string) => {
  const res = await s.json('POST', '/auth/logout', { refresh_token: refreshToken })
  expect(res.status).toBe(200)
}

describe.each<[string, TokenCodec]>([
  ['jose', joseCodec],
  ['node', nodeCodec],
])('bearer checks (%s codec)', (_name, codec) => {
  const server = () => testServer({ codec })

  it('forges exactly what the server signs, and the server accepts it (the control for every attack)', async () => {
    const s = await server()
    const { t, key, claims } = await signedIn(s)
    const forged = forge(HS256, claims, key)
    expect(forged).toBe(t.access_token)
    expect((await s.bearer(forged)).status).toBe(200)
    const fresh = forge(HS256, { ...claims, jti: 'another' }, key)
    expect(fresh).not.toBe(t.access_token)
    expect((await s.bearer(fresh)).status).toBe(200)
    const viaCodec = await s.sign({ ...claims, jti: 'signed-by-codec' } as unknown as AccessClaims)
    expect(viaCodec).toBe(forge(HS256, { ...claims, jti: 'signed-by-codec' }, key))
    expect((await s.bearer(viaCodec)).status).toBe(200)
  })

  describe('1. a token is present and is three base64url parts', () => {
    it('401 missing_token with error="invalid_request" when there is no bearer token', async () => {
      const s = await server()
      const { t } = await signedIn(s)
      await expect401(await s.json('GET', '/auth/me'), 'missing_token', 'invalid_request')
      for (const authorization of [
        '',
        'Bearer',
        'Bearer ',
        `Basic ${b64url('alice:alice-password')}`,
        t.access_token,
        `Token ${t.access_token}`,
        `Bearer ${t.access_token} extra`,
      ]) {
        const res = await s.json('GET', '/auth/me', undefined, { authorization })
        await expect401(res, 'missing_token', 'invalid_request')
      }
    })

    it('takes the scheme name in any case (RFC 7235)', async () => {
      const s = await server()
      const { t } = await signedIn(s)
      const res = await s.json('GET', '/auth/me', undefined, { authorization: `bearer ${t.access_token}` })
      expect(res.status).toBe(200)
    })

    it('401 malformed_token for two segments, four segments, empty or non-base64url parts', async () => {
      const s = await server()
      const { t, h, p, sig } = await signedIn(s)
      for (const token of [
        `${h}.${p}`,
        `${h}.${p}.${sig}.${sig}`,
        `${t.access_token}.`,
        'abc',
        '..',
        `.${p}.${sig}`,
        `${h}..${sig}`,
        `${h}.${p}.`, // stripped signature
        `${h}.${p}.${sig.slice(0, 42)}=`,
        `${h}.${p}.${sig.slice(0, 20)}+${sig.slice(21)}`,
        `${h}.${p}.${sig.slice(0, 20)}/${sig.slice(21)}`,
        `${h}.${p}*.${sig}`,
        `${h}=.${p}.${sig}`,
        `${h}.${p}.${sig.slice(0, 20)}%${sig.slice(21)}`,
        `${h}.${p}.${sig.slice(0, 20)}é${sig.slice(21)}`,
      ]) {
        await expect401(await s.bearer(token), 'malformed_token')
      }
    })
  })

  describe('2. alg exactly HS256, no header that points elsewhere for a key', () => {
    it('401 invalid_token for alg none in any case, with and without a signature', async () => {
      const s = await server()
      const { key, claims } = await signedIn(s)
      for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
        const withMac = forge({ alg, typ: 'JWT' }, claims, key)
        await expect401(await s.bearer(withMac), 'invalid_token')
        const [h, p] = withMac.split('.')
        // No signature at all: an empty third part is not a base64url part, so step 1 answers first.
        await expect401(await s.bearer(`${h}.${p}.`), 'malformed_token')
      }
    })

    it('401 invalid_token for HS512 and RS256 headers, even when HMAC-SHA256 under the right key', async () => {
      const s = await server()
      const { key, claims } = await signedIn(s)
      for (const alg of ['HS512', 'HS384', 'RS256', 'ES256', 'PS256', 'hs256', 'HS256 ', '']) {
        await expect401(await s.bearer(forge({ alg, typ: 'JWT' }, claims, key)), 'invalid_token')
      }
      await expect401(await s.bearer(forge({ typ: 'JWT' }, claims, key)), 'invalid_token')
      await expect401(await s.bearer(forge({ alg: ['HS256'], typ: 'JWT' }, claims, key)), 'invalid_token')
      // HS512 with a real HMAC-SHA512 under the right key.
      await expect401(
        await s.bearer(forge({ alg: 'HS512', typ: 'JWT' }, claims, key, 'sha512')),
        'invalid_token',
      )
      // RS256 "signed" with the user's key as an HMAC secret: the classic key-confusion attempt.
      await expect401(await s.bearer(forge({ alg: 'RS256', typ: 'JWT' }, claims, key)), 'invalid_token')
    })

    it('401 invalid_token for crit, jku, jwk, x5u (and x5c) headers on an otherwise valid HS256 token', async () => {
      const s = await server()
      const { key, claims } = await signedIn(s)
      const extras: Record<string, unknown>[] = [
        { crit: ['exp'] },
        { crit: ['b64'], b64: false },
        { jku: 'https://attacker.example/jwks.json' },
        { jwk: { kty: 'oct', k: b64url('attacker-key') } },
        { x5u: 'https://attacker.example/cert.pem' },
        { x5c: ['MIIB'] },
      ]
      for (const extra of extras) {
        await expect401(await s.bearer(forge({ ...HS256, ...extra }, claims, key)), 'invalid_token')
      }
      // The control: an innocent extra header (cty) MAC'd the same way passes, so it is the header that failed.
      expect((await s.bearer(forge({ ...HS256, cty: 'example' }, claims, key))).status).toBe(200)
    })

    it('401 invalid_token for a header or payload that is not a JSON object', async () => {
      const s = await server()
      const { key, claims, h, p } = await signedIn(s)
      const mac = (input: string) => `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`
      for (const header of ['null', '[]', '"HS256"', 'not json', '']) {
        await expect401(await s.bearer(mac(`${b64url(header) || 'AA'}.${p}`)), 'invalid_token')
      }
      for (const payload of ['null', '[]', '42', 'not json']) {
        await expect401(await s.bearer(mac(`${h}.${b64url(payload)}`)), 'invalid_token')
      }
      expect((await s.bearer(mac(`${h}.${b64url(claims)}`))).status).toBe(200)
    })
  })

  describe('3. sub, sid, exp and iat present; sub names a user', () => {
    it('401 invalid_token when a required claim is missing or of the wrong type', async () => {
      const s = await server()
      const { key, claims } = await signedIn(s)
      for (const name of ['sub', 'sid', 'exp', 'iat']) {
        const { [name]: _dropped, ...rest } = claims
        await expect401(await s.bearer(forge(HS256, rest, key)), 'invalid_token')
      }
      for (const wrong of [
        { sub: 42 },
        { sid: null },
        { exp: String(claims.exp) },
        { iat: String(claims.iat) },
        { exp: null },
      ]) {
        await expect401(await s.bearer(forge(HS256, { ...claims, ...wrong }, key)), 'invalid_token')
      }
    })

    it('401 invalid_token for an unknown sub, even MAC-ed with a real key', async () => {
      const s = await server()
      const { key, claims } = await signedIn(s)
      await expect401(await s.bearer(forge(HS256, { ...claims, sub: 'no-such-user' }, key)), 'invalid_token')
      await expect401(await s.bearer(forge(HS256, { ...claims, sub: '' }, key)), 'invalid_token')
    })
  })

  describe('4. the signature holds under the user’s current key', () => {
    it('401 invalid_token for a tampered payload (role → admin, sub → another user, exp pushed out)', async () => {
      const s = await server()
      const { claims, h, sig } = await signedIn(s)
      const bob = await s.user('bob')
      const exp = claims.exp as number
      for (const edit of [{ role: 'admin' }, { sub: bob.id }, { exp: exp + 86400 }]) {
        await expect401(await s.bearer(`${h}.${b64url({ ...claims, ...edit })}.${sig}`), 'invalid_token')
      }
    })

    it('401 invalid_token for a wrong MAC: another token’s, another user’s key, another globalSecret', async () => {
      const s = await server()
      const { t, key, claims, h, p } = await signedIn(s)
      const bob = await s.login('bob')
      const bobKey = await s.rawKey(bob.user.id)
      await expect401(await s.bearer(`${h}.${p}.${bob.access_token.split('.')[2]}`), 'invalid_token')
      await expect401(await s.bearer(forge(HS256, claims, bobKey)), 'invalid_token')
      const otherGlobal = createHmac('sha256', `${GLOBAL_SECRET}-other`)
        .update(key) // any other derivation stands for a key from another deployment
        .digest()
      await expect401(await s.bearer(forge(HS256, claims, otherGlobal)), 'invalid_token')
      await expect401(await s.bearer(`${h}.${p}.${'A'.repeat(43)}`), 'invalid_token')
      // A flipped last character of the signature (same length, still base64url).
      const last = t.access_token.at(-1) === 'A' ? 'Q' : 'A'
      await expect401(await s.bearer(`${t.access_token.slice(0, -1)}${last}`), 'invalid_token')
    })

    it('401 invalid_token once the user’s string is rotated (admin revoke), for a token MAC-ed with the old key', async () => {
      const s = await server()
      const { alice, key, claims } = await signedIn(s)
      const root = await s.login('root')
      expect((await s.bearer(root.access_token, 'POST', `/admin/users/${alice.id}/revoke`)).status).toBe(200)
      await expect401(await s.bearer(forge(HS256, claims, key)), 'invalid_token')
    })
  })

  describe('5. exp, then iat, iss and aud', () => {
    it('401 token_expired once exp has passed (and at exp itself), 200 a second before', async () => {
      const s = await server()
      const { t } = await signedIn(s)
      s.clock.advance(299)
      expect((await s.bearer(t.access_token)).status).toBe(200)
      s.clock.advance(1)
      await expect401(await s.bearer(t.access_token), 'token_expired')
      s.clock.advance(3600)
      await expect401(await s.bearer(t.access_token), 'token_expired')
    })

    it('accepts an iat up to 30 s in the future; 401 invalid_token beyond', async () => {
      const s = await server()
      const { key, claims } = await signedIn(s)
      const iat = claims.iat as number
      expect((await s.bearer(forge(HS256, { ...claims, iat: iat + 30 }, key))).status).toBe(200)
      await expect401(await s.bearer(forge(HS256, { ...claims, iat: iat + 31 }, key)), 'invalid_token')
      await expect401(
        await s.bearer(forge(HS256, { ...claims, iat: iat + 86400, exp: iat + 86700 }, key)),
        'invalid_token',
      )
    })

    it('401 invalid_token for a wrong or missing iss or aud', async () => {
      const s = await server()
      const { key, claims } = await signedIn(s)
      const { iss: _iss, ...noIss } = claims
      const { aud: _aud, ...noAud } = claims
      for (const payload of [
        { ...claims, iss: 'someone-else' },
        { ...claims, aud: 'someone-else' },
        { ...claims, iss: 'LEASH' },
        { ...claims, aud: ['someone-else'] },
        noIss,
        noAud,
      ]) {
        await expect401(await s.bearer(forge(HS256, payload, key)), 'invalid_token')
      }
    })
  })

  describe('6. the user is enabled', () => {
    it('403 user_disabled with user_enabled:false for a disabled user’s valid token', async () => {
      const s = await server()
      const { t, alice } = await signedIn(s)
      await disable(s, alice.id)
      const res = await s.bearer(t.access_token)
      expect(res.status).toBe(403)
      expect(await res.json()).toMatchObject({ error: { code: 'user_disabled' }, user_enabled: false })
      const notes = await s.bearer(t.access_token, 'GET', '/api/notes')
      expect(notes.status).toBe(403)
      expect(await notes.json()).toMatchObject({ error: { code: 'user_disabled' }, user_enabled: false })
    })
  })

  describe('7. the session is live', () => {
    it('401 session_revoked once the session has ended', async () => {
      const s = await server()
      const { t } = await signedIn(s)
      await endSession(s, t.refresh_token!)
      await expect401(await s.bearer(t.access_token), 'session_revoked')
    })

    it('401 session_revoked for a validly signed token naming an unknown sid or another user’s session', async () => {
      const s = await server()
      const { key, claims } = await signedIn(s)
      const bob = await s.login('bob')
      await expect401(
        await s.bearer(forge(HS256, { ...claims, sid: 'no-such-session' }, key)),
        'session_revoked',
      )
      await expect401(
        await s.bearer(forge(HS256, { ...claims, sid: bob.session.id }, key)),
        'session_revoked',
      )
      expect((await s.bearer(bob.access_token)).status).toBe(200)
    })
  })

  describe('the order of the checks', () => {
    it('an earlier check answers for a token that fails several', async () => {
      const s = await server()
      const { t, key, claims, h, p } = await signedIn(s)
      const bob = await s.login('bob')
      const stale: Record<string, unknown> = { ...claims, exp: (claims.iat as number) - 1 }

      // 1 before 2: alg none without a signature is malformed, not invalid.
      await expect401(await s.bearer(`${b64url({ alg: 'none' })}.${p}.`), 'malformed_token')
      // 2 before 5: a bad alg on an expired token.
      await expect401(await s.bearer(forge({ alg: 'HS512', typ: 'JWT' }, stale, key)), 'invalid_token')
      // 3 before 5: a missing sid on an expired token; an unknown sub on an expired token.
      const { sid: _sid, ...noSid } = stale
      await expect401(await s.bearer(forge(HS256, noSid, key)), 'invalid_token')
      await expect401(await s.bearer(forge(HS256, { ...stale, sub: 'ghost' }, key)), 'invalid_token')
      // 4 before 5: a tampered expired token.
      await expect401(
        await s.bearer(`${h}.${b64url(stale)}.${t.access_token.split('.')[2]}`),
        'invalid_token',
      )
      // 5 (exp) before 5 (iss): expiry is the client's cue to refresh.
      await expect401(await s.bearer(forge(HS256, { ...stale, iss: 'elsewhere' }, key)), 'token_expired')

      // 5 before 7: an expired token of an ended session says token_expired.
      await endSession(s, t.refresh_token!)
      await expect401(await s.bearer(forge(HS256, stale, key)), 'token_expired')

      // 5 before 6, and 6 before 7: bob disabled (which also ends his sessions).
      await disable(s, bob.user.id)
      expect(await s.liveSessions(bob.user.id)).toEqual([])
      const bobKey = await s.rawKey(bob.user.id)
      const bobClaims = claimsOf(bob.access_token)
      await expect401(
        await s.bearer(forge(HS256, { ...bobClaims, exp: (bobClaims.iat as number) - 1 }, bobKey)),
        'token_expired',
      )
      await expect401(await s.bearer(forge(HS256, { ...bobClaims, aud: 'x' }, bobKey)), 'invalid_token')
      const disabled = await s.bearer(bob.access_token)
      expect(disabled.status).toBe(403)
      expect(await codeOf(disabled)).toBe('user_disabled')
    })
  })
})

describe('every Bearer endpoint runs the checks', () => {
  const endpoints: Array<[string, string, unknown?]> = [
    ['GET', '/auth/me'],
    ['POST', '/auth/logout-all'],
    ['POST', '/auth/password', { current_password: 'alice-password', new_password: 'another-password' }],
    ['GET', '/api/notes'],
    ['POST', '/api/notes', { text: 'hello' }],
    ['GET', '/admin/users'],
    ['POST', '/admin/users/x/disable'],
    ['POST', '/admin/users/x/enable'],
    ['POST', '/admin/users/x/revoke'],
    ['PATCH', '/admin/users/x', { role: 'admin' }],
    ['POST', '/admin/revoke-all'],
  ]

  it.each(endpoints)('%s %s: missing, malformed, tampered, expired, revoked', async (method, path, body) => {
    const s = await testServer()
    const root = await s.login('root')
    const [h, p, sig] = root.access_token.split('.') as [string, string, string]
    const admin = { ...claimsOf(root.access_token) }
    await expect401(await s.json(method, path, body), 'missing_token', 'invalid_request')
    await expect401(await s.bearer(`${h}.${p}`, method, path, body), 'malformed_token')
    await expect401(
      await s.bearer(`${h}.${b64url({ ...admin, jti: 'x' })}.${sig}`, method, path, body),
      'invalid_token',
    )
    s.clock.advance(300)
    await expect401(await s.bearer(root.access_token, method, path, body), 'token_expired')
    const again = await s.login('root')
    await endSession(s, again.refresh_token!)
    await expect401(await s.bearer(again.access_token, method, path, body), 'session_revoked')
  })
})
