import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { type AccessClaims, checkClaims, parseToken } from '../../tokens/claims.js'
import type { SigningKey, TokenCodec } from '../../tokens/codec.js'
import { joseCodec } from '../../tokens/jose-codec.js'
import { nodeCodec } from './node-codec.js'

// The fast codec (node:crypto) is held to the portable one (jose/WebCrypto), token by token: the same
// signatures, and the same verdict on every token, attack vectors and random corruptions included.

const GLOBAL = 'differential-global-secret-of-32-bytes!'
const EPOCH = 'epoch-1'
const USER = 'user-string-abcdefghijklmnopqrstuvwxyz012345'
const NOW = 1_800_000_000
const expect_ = { issuer: 'leash', audience: 'leash', iatLeeway: 30 }

const claims = (over: Partial<AccessClaims> = {}): AccessClaims => ({
  iss: 'leash',
  aud: 'leash',
  sub: 'u1',
  sid: 's1',
  jti: 'j1',
  iat: NOW - 10,
  exp: NOW + 290,
  role: 'user',
  ...over,
})

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url')
const rawKey = createHmac('sha256', GLOBAL).update(`leash/v1|${EPOCH}|${USER}`).digest()
/** A token with any header and payload, MAC'd with the user's real key under HS256. */
const forge = (header: unknown, payload: unknown, key: Buffer = rawKey) => {
  const input = `${b64(header)}.${b64(payload)}`
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`
}

async function verdict(codec: TokenCodec, key: SigningKey, token: string): Promise<string> {
  const parsed = parseToken(token, codec.decode)
  if (typeof parsed === 'string') return parsed
  if (!(await codec.verify(parsed, key))) return 'invalid_token'
  return checkClaims(parsed.payload, NOW, expect_) ?? 'ok'
}

async function keys() {
  return {
    node: await nodeCodec.deriveKey(GLOBAL, EPOCH, USER),
    jose: await joseCodec.deriveKey(GLOBAL, EPOCH, USER),
  }
}

describe('node codec vs jose codec', () => {
  it('derive the same key and sign byte-identical tokens, naming the key in the header', async () => {
    const k = await keys()
    for (const kid of ['default', 'k2025-06', 'A_b-9', 'x'.repeat(32)])
      for (const c of [claims(), claims({ role: 'admin', sub: 'ünïcødé-☃' }), claims({ exp: NOW + 1 })]) {
        const a = await nodeCodec.sign(c, k.node, kid)
        const b = await joseCodec.sign(c, k.jose, kid)
        expect(a).toBe(b)
        expect(a).toBe(forge({ alg: 'HS256', typ: 'JWT', kid }, c))
        // The header is recognised without parsing, and read as what it says.
        const header = a.slice(0, a.indexOf('.'))
        const parsed = parseToken(a, (segment) => {
          if (segment === header) throw new Error('the signed header was decoded')
          return nodeCodec.decode(segment)
        })
        expect(typeof parsed === 'object' && parsed.kid).toBe(kid)
      }
  })

  it('refuse to sign under an id no keyring could hold', async () => {
    const k = await keys()
    for (const kid of ['', 'x'.repeat(33), 'a b', 'é', 'a"b'])
      for (const codec of [nodeCodec, joseCodec])
        await expect(codec.sign(claims(), codec === nodeCodec ? k.node : k.jose, kid)).rejects.toThrow(
          /key id/,
        )
  })

  it('each verifies what the other signed, and rejects it under another key', async () => {
    const k = await keys()
    const other = {
      node: await nodeCodec.deriveKey(GLOBAL, 'epoch-2', USER),
      jose: await joseCodec.deriveKey(GLOBAL, 'epoch-2', USER),
    }
    const fromNode = await nodeCodec.sign(claims(), k.node, 'default')
    const fromJose = await joseCodec.sign(claims(), k.jose, 'default')
    expect(await verdict(joseCodec, k.jose, fromNode)).toBe('ok')
    expect(await verdict(nodeCodec, k.node, fromJose)).toBe('ok')
    expect(await verdict(joseCodec, other.jose, fromNode)).toBe('invalid_token')
    expect(await verdict(nodeCodec, other.node, fromJose)).toBe('invalid_token')
  })

  it('make the same sub_mac, under a key of the global secret alone', async () => {
    const [nk, jk] = await Promise.all([
      nodeCodec.deriveSubjectKey(GLOBAL),
      joseCodec.deriveSubjectKey(GLOBAL),
    ])
    const subKey = createHmac('sha256', GLOBAL).update('leash/v1/sub_mac').digest()
    for (const sub of ['u1', '2c1f7f0e-9d3b-4c5e-8f00-1a2b3c4d5e6f', 'é \u{1F600}', '']) {
      const expected = createHmac('sha256', subKey).update(sub).digest().subarray(0, 16).toString('base64url')
      expect(nodeCodec.subjectMac(sub, nk)).toBe(expected)
      expect(await joseCodec.subjectMac(sub, jk)).toBe(expected)
    }
  })

  it('hash refresh tokens alike; the node codec without a thread-pool round trip', async () => {
    for (const token of ['', 'x', 'Zm9v-_bar', 'ünïcødé-☃'.repeat(40)]) {
      const fromNode = nodeCodec.hashRefreshToken(token)
      expect(typeof fromNode).toBe('string') // synchronous: never queued behind scrypt in libuv's pool
      expect(fromNode).toMatch(/^[0-9a-f]{64}$/)
      expect(await joseCodec.hashRefreshToken(token)).toBe(fromNode)
    }
  })

  const good = forge({ alg: 'HS256', typ: 'JWT' }, claims())
  const [h, p, s] = good.split('.') as [string, string, string]
  const attacks: Array<[string, string, string]> = [
    ['valid', good, 'ok'],
    ['alg none, no signature', `${b64({ alg: 'none' })}.${p}.`, 'malformed_token'],
    ['alg none with a signature', forge({ alg: 'none', typ: 'JWT' }, claims()), 'invalid_token'],
    ['alg None', forge({ alg: 'None' }, claims()), 'invalid_token'],
    ['alg NONE', forge({ alg: 'NONE' }, claims()), 'invalid_token'],
    ['alg HS512 header, HS256 MAC', forge({ alg: 'HS512', typ: 'JWT' }, claims()), 'invalid_token'],
    ['alg RS256 header', forge({ alg: 'RS256', typ: 'JWT' }, claims()), 'invalid_token'],
    ['alg hs256 (case)', forge({ alg: 'hs256', typ: 'JWT' }, claims()), 'invalid_token'],
    ['crit header', forge({ alg: 'HS256', crit: ['exp'], exp: 1 }, claims()), 'invalid_token'],
    ['jku header', forge({ alg: 'HS256', jku: 'https://evil.example/jwks' }, claims()), 'invalid_token'],
    ['jwk header', forge({ alg: 'HS256', jwk: { kty: 'oct', k: 'AA' } }, claims()), 'invalid_token'],
    ['x5u header', forge({ alg: 'HS256', x5u: 'https://evil.example/cert' }, claims()), 'invalid_token'],
    ['b64 false header', forge({ alg: 'HS256', b64: false, crit: ['b64'] }, claims()), 'invalid_token'],
    ['typ other than JWT', forge({ alg: 'HS256', typ: 'at+jwt' }, claims()), 'invalid_token'],
    ['kid of a key', forge({ alg: 'HS256', typ: 'JWT', kid: 'k2' }, claims()), 'ok'],
    ['kid before typ', forge({ kid: 'k2', alg: 'HS256', typ: 'JWT' }, claims()), 'ok'],
    ['kid a number', forge({ alg: 'HS256', typ: 'JWT', kid: 7 }, claims()), 'invalid_token'],
    ['kid null', forge({ alg: 'HS256', typ: 'JWT', kid: null }, claims()), 'invalid_token'],
    ['kid empty', forge({ alg: 'HS256', typ: 'JWT', kid: '' }, claims()), 'invalid_token'],
    ['kid a path', forge({ alg: 'HS256', typ: 'JWT', kid: '../../key' }, claims()), 'invalid_token'],
    ['kid of 33 characters', forge({ alg: 'HS256', kid: 'k'.repeat(33) }, claims()), 'invalid_token'],
    ['tampered payload', `${h}.${b64(claims({ role: 'admin' }))}.${s}`, 'invalid_token'],
    ['stripped signature', `${h}.${p}.`, 'malformed_token'],
    ['four segments', `${good}.${s}`, 'malformed_token'],
    ['two segments', `${h}.${p}`, 'malformed_token'],
    ['padding in a segment', `${h}=.${p}.${s}`, 'malformed_token'],
    ['standard base64 chars', `${h}.${p}+/.${s}`, 'malformed_token'],
    [
      'non-canonical signature tail',
      `${h}.${p}.${s.slice(0, 42)}${s[42] === 'A' ? 'B' : 'A'}`,
      'invalid_token',
    ],
    ['signature one char short', `${h}.${p}.${s.slice(0, 42)}`, 'invalid_token'],
    ['header not JSON', `${b64('not json')}.${p}.${s}`, 'invalid_token'],
    ['header a JSON array', forge(['HS256'], claims()), 'invalid_token'],
    ['payload a JSON string', forge({ alg: 'HS256' }, 'hello'), 'invalid_token'],
    ['no sub', forge({ alg: 'HS256' }, { ...claims(), sub: undefined }), 'invalid_token'],
    ['no sid', forge({ alg: 'HS256' }, { ...claims(), sid: undefined }), 'invalid_token'],
    ['no exp', forge({ alg: 'HS256' }, { ...claims(), exp: undefined }), 'invalid_token'],
    ['no iat', forge({ alg: 'HS256' }, { ...claims(), iat: undefined }), 'invalid_token'],
    ['exp as a string', forge({ alg: 'HS256' }, { ...claims(), exp: String(NOW + 100) }), 'invalid_token'],
    ['expired', forge({ alg: 'HS256' }, claims({ exp: NOW })), 'token_expired'],
    ['iat 31 s ahead', forge({ alg: 'HS256' }, claims({ iat: NOW + 31 })), 'invalid_token'],
    ['iat 29 s ahead', forge({ alg: 'HS256' }, claims({ iat: NOW + 29 })), 'ok'],
    ['wrong iss', forge({ alg: 'HS256' }, claims({ iss: 'someone-else' })), 'invalid_token'],
    ['wrong aud', forge({ alg: 'HS256' }, claims({ aud: 'another-api' })), 'invalid_token'],
    ['aud as an array holding ours', forge({ alg: 'HS256' }, { ...claims(), aud: ['x', 'leash'] }), 'ok'],
    [
      'signed with the global secret alone',
      forge({ alg: 'HS256' }, claims(), Buffer.from(GLOBAL)),
      'invalid_token',
    ],
    [
      'signed with the user secret alone',
      forge({ alg: 'HS256' }, claims(), Buffer.from(USER)),
      'invalid_token',
    ],
    ['empty string', '', 'malformed_token'],
  ]

  it.each(attacks)('%s', async (_name, token, expected) => {
    const k = await keys()
    expect(await verdict(nodeCodec, k.node, token)).toBe(expected)
    expect(await verdict(joseCodec, k.jose, token)).toBe(expected)
  })

  it('agree on 2,000 randomly corrupted tokens', async () => {
    const k = await keys()
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ '
    let seed = 42
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed % n
    }
    const verdicts = new Map<string, number>()
    for (let i = 0; i < 2000; i++) {
      const chars = [...good]
      for (let m = 0, edits = 1 + rand(3); m < edits; m++) {
        const at = rand(chars.length)
        const op = rand(3)
        if (op === 0) chars[at] = alphabet[rand(alphabet.length)]!
        else if (op === 1) chars.splice(at, 1)
        else chars.splice(at, 0, alphabet[rand(alphabet.length)]!)
      }
      const token = chars.join('')
      const a = await verdict(nodeCodec, k.node, token)
      expect(await verdict(joseCodec, k.jose, token), token).toBe(a)
      verdicts.set(a, (verdicts.get(a) ?? 0) + 1)
    }
    // The corruptions reach every kind of verdict, so the agreement is not only on one easy case.
    expect(verdicts.get('malformed_token')).toBeGreaterThan(0)
    expect(verdicts.get('invalid_token')).toBeGreaterThan(0)
  })
})
