// Verify path, one process, same token for every candidate: Leash's whole per-request check (`app.verify`,
// what `requireSession` runs: bearer parse, decode, cached user key, HMAC, claims, enabled, session) on a
// warm cache, against the raw HMAC + JSON.parse + exp floor, jsonwebtoken, fast-jwt (cache off) and jose.
import { createHmac, timingSafeEqual, webcrypto } from 'node:crypto'
import { createApp, createPbkdf2Hasher, seedUsers } from '@leash/reference-server'
import { createSqliteStore, nodeCodec } from '@leash/reference-server/node'
import { createVerifier } from 'fast-jwt'
import { jwtVerify } from 'jose'
import jsonwebtoken from 'jsonwebtoken'
import { compare, emit, median, round } from './lib.js'

const ISSUER = 'leash'
const AUDIENCE = 'leash'
const GLOBAL_SECRET = 'bench-global-secret-at-least-32-bytes-long'

export async function leashFixture() {
  const hasher = createPbkdf2Hasher(1_000)
  const store = createSqliteStore(':memory:')
  const app = createApp({
    store,
    hasher,
    codec: nodeCodec,
    globalSecret: GLOBAL_SECRET,
    config: { accessTtl: 3600, secureCookies: false },
  })
  await seedUsers(store, hasher, [{ username: 'bench', password: 'bench-password' }], Date.now())
  const res = await app.request('/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: 'bench-password', refresh_transport: 'body' }),
  })
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`)
  const token = (await res.json()).access_token
  const authorization = `Bearer ${token}`
  // One call fills the cache with the user (and derived key) and the session: every later call is warm.
  const verified = await app.verify(authorization)
  if (!verified.ok) throw new Error(`verify refused the token: ${verified.code}`)
  // The same key, derived here for the other candidates: the bench's own way in to the store it made.
  const user = await store.findUserById(verified.principal.user.id)
  const { key } = await nodeCodec.deriveKey(GLOBAL_SECRET, await store.getMeta('global_epoch'), user.secret)
  return { app, store, token, authorization, raw: key.export(), keyObject: key }
}

async function main() {
  const { app, store, token, authorization, raw, keyObject } = await leashFixture()
  const verify = app.verify
  const dot = token.lastIndexOf('.')

  // The floor: what any HS256 verifier must do at least. MAC the signing input, compare in constant time,
  // decode and parse the payload, check exp.
  const floor = () => {
    const input = token.slice(0, dot)
    const given = Buffer.from(token.slice(dot + 1), 'base64url')
    const expected = createHmac('sha256', keyObject).update(input).digest()
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false
    const payload = JSON.parse(Buffer.from(input.slice(input.indexOf('.') + 1), 'base64url').toString())
    return payload.exp > Date.now() / 1000
  }
  const jwtOptions = { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE }
  const fastVerify = createVerifier({
    key: raw,
    algorithms: ['HS256'],
    cache: false,
    allowedIss: ISSUER,
    allowedAud: AUDIENCE,
  })
  const joseKey = await webcrypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'verify',
  ])

  const candidates = [
    { name: 'floor', fn: floor },
    // A refusal is a value, not an exception: `accepts` tells the check below what counts as acceptance.
    { name: 'leash', fn: () => verify(authorization), accepts: (r) => r.ok, async: true },
    // A KeyObject: jsonwebtoken's fast path. Given a string or Buffer secret (the express-jwt habit) it first
    // tries to parse it as a public key on every call, which costs far more; measured apart below.
    { name: 'jsonwebtoken', fn: () => jsonwebtoken.verify(token, keyObject, jwtOptions) },
    { name: 'jsonwebtoken_raw_secret', fn: () => jsonwebtoken.verify(token, raw, jwtOptions) },
    { name: 'fast_jwt', fn: () => fastVerify(token) },
    {
      name: 'jose',
      fn: () => jwtVerify(token, joseKey, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE }),
      async: true,
    },
  ]
  // Every candidate must accept the token before it is timed.
  for (const c of candidates) {
    const result = await c.fn()
    if (!(c.accepts ? c.accepts(result) : result)) throw new Error(`${c.name} rejected the token`)
  }

  const quick = process.env.BENCH_QUICK === '1'
  const results = await compare(
    candidates,
    quick ? { rounds: 3, roundMs: 60, warmupMs: 100 } : { rounds: 11, roundMs: 150, warmupMs: 300 },
  )
  app.close()
  await store.close()

  const us = (name) => round(results[name].us, 3)
  // Ratios are the median of per-round ratios: within a round the candidates run back to back, so drift on
  // a busy machine cancels out better than in a ratio of two medians.
  const floorSamples = results.floor.samples
  const ratio = (name) => round(median(results[name].samples.map((us, i) => us / floorSamples[i])), 2)
  emit({
    floor_us: us('floor'),
    leash_us: us('leash'),
    jsonwebtoken_us: us('jsonwebtoken'),
    fast_jwt_us: us('fast_jwt'),
    jose_us: us('jose'),
    ratio_to_floor: {
      leash: ratio('leash'),
      jsonwebtoken: ratio('jsonwebtoken'),
      fast_jwt: ratio('fast_jwt'),
      jose: ratio('jose'),
      jsonwebtoken_raw_secret: ratio('jsonwebtoken_raw_secret'),
    },
    jsonwebtoken_raw_secret_us: us('jsonwebtoken_raw_secret'),
    checks:
      'jsonwebtoken, fast-jwt and jose check alg, exp, iss and aud; the floor only the MAC and exp; Leash the whole protocol check including user enabled and session live (cache warm)',
    rounds: results.floor.samples.length,
    clock: 'CPU time of this process per op (wall-clock medians in wall_us)',
    wall_us: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, round(v.wallUs, 3)])),
    samples_us: Object.fromEntries(
      Object.entries(results).map(([k, v]) => [k, v.samples.map((s) => round(s, 3))]),
    ),
  })
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
