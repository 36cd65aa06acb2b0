import { createHmac, randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createInProcessBus } from '../bus/in-process.js'
import { nodeCodec } from '../node/tokens/node-codec.js'
import { countingStore } from '../test/counting-store.js'
import { b64url, claimsOf, expectCode, GLOBAL_SECRET, testServer } from '../test/harness.js'
import type { AccessClaims } from '../tokens/claims.js'
import { joseCodec } from '../tokens/jose-codec.js'
import { createVerifier } from '../verifier.js'

// The per-user key needs the user's secret, so a token's user is looked up before its signature can be
// checked. A `sub` nobody has is never cached: without a check before the lookup, every made-up token with
// a fresh random `sub` would cost a store query. Every token now carries `sub_mac`, a MAC of its `sub` under
// a key derived from the global secret alone; on a cache miss it is checked (one HMAC) before the store is.

/** A token like one the server signed, for another `sub`, and MAC'd with a key the attacker made up. */
function forged(template: string, over: Record<string, unknown>) {
  const [header, payload] = template.split('.')
  const claims = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), ...over }
  const input = `${header}.${b64url(claims)}`
  return `${input}.${createHmac('sha256', 'not-the-key').update(input).digest('base64url')}`
}

const subjectMac = (sub: string) => {
  const key = createHmac('sha256', GLOBAL_SECRET).update('leash/v1/sub_mac').digest()
  return createHmac('sha256', key).update(sub).digest().subarray(0, 16).toString('base64url')
}

describe.each([
  ['node', nodeCodec],
  ['jose', joseCodec],
])('a forged token reaches no store (%s codec)', (_, codec) => {
  it('200 tokens with random subs (well-formed user ids): 401 invalid_token and no user lookup', async () => {
    const { store, reads } = countingStore()
    const s = await testServer({ store, codec })
    const { access_token } = await s.login('alice')
    const before = reads.users
    for (let i = 0; i < 200; i++) {
      const token = forged(access_token, { sub: randomUUID() })
      await expectCode(await s.bearer(token), 401, 'invalid_token')
    }
    expect(reads.users - before).toBe(0)
  })

  it('a random sub with a made-up sub_mac, or one copied from another user, is refused without a lookup', async () => {
    const { store, reads } = countingStore()
    const s = await testServer({ store, codec })
    const { access_token } = await s.login('alice')
    const before = reads.users
    const bob = (await s.user('bob')).id
    for (const sub_mac of ['AAAAAAAAAAAAAAAAAAAAAA', claimsOf(access_token).sub_mac, 42, null]) {
      await expectCode(
        await s.bearer(forged(access_token, { sub: randomUUID(), sub_mac })),
        401,
        'invalid_token',
      )
    }
    // bob exists, but the token for him is not signed by his key: one lookup is the most it can buy.
    await expectCode(
      await s.bearer(forged(access_token, { sub: bob, sub_mac: subjectMac(bob) })),
      401,
      'invalid_token',
    )
    expect(reads.users - before).toBe(1)
  })

  it('every token the server signs carries the sub_mac of its sub, and works on a cold cache', async () => {
    const { store, reads } = countingStore()
    const s = await testServer({ store, codec })
    const t = await s.login('alice')
    expect(claimsOf(t.access_token).sub_mac).toBe(subjectMac(t.user.id))
    s.clock.advance(6) // past the cache's age bound: the next check reads the user again
    const before = reads.users
    expect((await s.bearer(t.access_token)).status).toBe(200)
    expect(reads.users - before).toBe(1)
  })
})

describe('tokens signed before sub_mac', () => {
  it('work until they expire: accessTtl past the first start; then a token without sub_mac reaches no store', async () => {
    const { store, reads } = countingStore()
    const s = await testServer({ store, codec: nodeCodec })
    const alice = await s.user('alice')
    const { access_token } = await s.login('alice')
    const { sub_mac: _, ...claims } = claimsOf(access_token) as unknown as AccessClaims
    // What the previous version signed: the same claims, no sub_mac, the user's key.
    const old = await s.sign(claims)
    expect(claimsOf(old).sub_mac).toBeUndefined()
    expect((await s.bearer(old)).status).toBe(200)
    s.clock.advance(299)
    const fresh = await s.sign({ ...claims, iat: claims.iat + 299, exp: claims.exp + 299 })
    expect((await s.bearer(fresh)).status).toBe(200)
    s.clock.advance(1)
    const before = reads.users
    // Every token of the previous version has expired by now: one without sub_mac is refused unlooked-up.
    for (let i = 0; i < 50; i++) {
      const late = forged(access_token, { sub: randomUUID(), sub_mac: undefined, exp: claims.exp + 1000 })
      await expectCode(await s.bearer(late), 401, 'invalid_token')
    }
    expect(reads.users - before).toBe(0)
    expect(alice.id).toBe(claims.sub)
  })
})

describe('the window for tokens without sub_mac', () => {
  it('opens once, at the first start over a store: a later start (restart, another instance) does not reopen it', async () => {
    const { store, reads } = countingStore()
    const s = await testServer({ store, codec: nodeCodec })
    const { access_token } = await s.login('alice')
    s.clock.advance(301)
    // Started now over the same store: the window it reads is the one the server opened 301 s ago.
    const later = createVerifier({
      store,
      bus: createInProcessBus(),
      globalSecret: GLOBAL_SECRET,
      clock: s.clock,
    })
    try {
      const before = reads.users
      for (let i = 0; i < 20; i++) {
        const token = forged(access_token, { sub: randomUUID(), sub_mac: undefined, exp: 2_000_000_000 })
        expect(await later.verify(`Bearer ${token}`)).toMatchObject({ ok: false })
      }
      expect(reads.users - before).toBe(0)
    } finally {
      later.close()
    }
  })
})

describe('a second service (createVerifier)', () => {
  it('accepts what the server signs and refuses forged random subs without a lookup', async () => {
    const { store, reads } = countingStore()
    const bus = createInProcessBus()
    const s = await testServer({ store, codec: nodeCodec })
    const { access_token } = await s.login('alice')
    const verifier = createVerifier({ store, bus, globalSecret: GLOBAL_SECRET, clock: s.clock })
    try {
      expect((await verifier.verify(`Bearer ${access_token}`)).ok).toBe(true)
      const before = reads.users
      for (let i = 0; i < 50; i++) {
        const result = await verifier.verify(`Bearer ${forged(access_token, { sub: randomUUID() })}`)
        expect(result.ok).toBe(false)
      }
      expect(reads.users - before).toBe(0)
    } finally {
      verifier.close()
    }
  })
})
