import { createHmac, randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createApp, type LeashApp } from '../app.js'
import { createPbkdf2Hasher } from '../auth/passwords.js'
import { createInProcessBus } from '../bus/in-process.js'
import { nodeCodec } from '../node/tokens/node-codec.js'
import { seedUsers } from '../seed.js'
import { countingStore } from '../test/counting-store.js'
import { b64url, claimsOf, codeOf, forge } from '../test/harness.js'
import { keyInfo } from '../tokens/codec.js'
import { joseCodec } from '../tokens/jose-codec.js'
import type { Keyring } from '../tokens/keyring.js'

// A rotation as the runbook does it, each step an app over the same store and bus (instances at different
// steps): tokens name their key (`kid`); a key still in the ring verifies; one that is not is answered
// token_expired (refresh once), never a sign-out; refresh tokens do not depend on the signing key.

const OLD = 'the-old-global-secret-of-at-least-32-bytes'
const NEW = 'the-new-global-secret-of-at-least-32-bytes'
const oldOnly: Keyring = { signer: 'default', keys: [{ id: 'default', secret: OLD }] }
const added: Keyring = { signer: 'default', keys: [...oldOnly.keys, { id: 'k2', secret: NEW }] }
const switched: Keyring = { ...added, signer: 'k2' }
const retired: Keyring = { signer: 'k2', keys: [{ id: 'k2', secret: NEW }] }

const hasher = createPbkdf2Hasher(1_000)

async function cluster(codec = joseCodec) {
  const { store, reads } = countingStore()
  const bus = createInProcessBus()
  await seedUsers(
    store,
    hasher,
    [{ username: 'alice', password: 'alice-password-1', role: 'user' }],
    Date.now(),
  )
  const app = (keys: { keyring: Keyring } | { globalSecret: string }): LeashApp =>
    createApp({
      store,
      bus,
      codec,
      hasher,
      ...keys,
      config: { secureCookies: false },
      clientIp: () => '127.0.0.1',
    })
  const call = (a: LeashApp, path: string, init: { token?: string; body?: unknown } = {}) =>
    a.request(path, {
      method: init.body === undefined ? 'GET' : 'POST',
      headers: {
        ...(init.token && { authorization: `Bearer ${init.token}` }),
        ...(init.body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    })
  const login = async (a: LeashApp) => {
    const res = await call(a, '/auth/login', {
      body: { username: 'alice', password: 'alice-password-1', refresh_transport: 'body' },
    })
    expect(res.status).toBe(200)
    return (await res.json()) as { access_token: string; refresh_token: string }
  }
  const refresh = async (a: LeashApp, token: string) => {
    const res = await call(a, '/auth/refresh', { body: { refresh_token: token } })
    return { status: res.status, body: (await res.json()) as { access_token: string; refresh_token: string } }
  }
  /** alice's per-user key under `secret`, as raw bytes, for tokens made by hand. */
  const rawKey = async (secret: string) => {
    const alice = (await store.findUserByUsername('alice'))!
    const epoch = await store.initMeta('global_epoch', 'unused')
    return createHmac('sha256', secret).update(keyInfo(epoch, alice.secret)).digest()
  }
  return { store, reads, app, call, login, refresh, rawKey }
}

const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())
const subjectMac = (secret: string, sub: string) => {
  const key = createHmac('sha256', secret).update('leash/v1/sub_mac').digest()
  return createHmac('sha256', key).update(sub).digest().subarray(0, 16).toString('base64url')
}

describe.each([
  ['jose', joseCodec],
  ['node', nodeCodec],
])('rotating the signing key (%s codec)', (_name, codec) => {
  it('add → use → retire: old tokens verify until retired, then answer token_expired; nobody is signed out', async () => {
    const c = await cluster(codec)
    const one = c.app({ globalSecret: OLD }) // before the upgrade: the one-key form, id `default`
    const t1 = await c.login(one)
    expect(headerOf(t1.access_token).kid).toBe('default')

    // Step 1: the new key is added everywhere; the old one still signs.
    const a = c.app({ keyring: added })
    expect((await c.call(a, '/auth/me', { token: t1.access_token })).status).toBe(200)
    expect(headerOf((await c.login(a)).access_token).kid).toBe('default')

    // Step 2: the new key signs. Tokens of the old key still verify, on every instance of the new ring.
    const b = c.app({ keyring: switched })
    const t2 = await c.login(b)
    expect(headerOf(t2.access_token).kid).toBe('k2')
    expect((await c.call(b, '/auth/me', { token: t1.access_token })).status).toBe(200)
    expect((await c.call(a, '/auth/me', { token: t2.access_token })).status).toBe(200)
    // A refresh token issued under the old signer refreshes under the new one, into a token of the new key.
    const r1 = await c.refresh(b, t1.refresh_token)
    expect(r1.status).toBe(200)
    expect(headerOf(r1.body.access_token).kid).toBe('k2')

    // Step 3: the old key is retired. Its tokens are the client's cue to refresh, never a sign-out.
    const d = c.app({ keyring: retired })
    const stale = await c.call(d, '/auth/me', { token: t1.access_token })
    expect(stale.status).toBe(401)
    expect(await codeOf(stale)).toBe('token_expired')
    expect(stale.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="the signing key was retired"',
    )
    expect((await c.call(d, '/auth/me', { token: r1.body.access_token })).status).toBe(200)
    // The session of t1 lives on: its refresh token (rotated under the new key) still refreshes.
    expect((await c.refresh(d, r1.body.refresh_token)).status).toBe(200)
  })

  it('a session idle through the whole rotation still refreshes: refresh tokens do not depend on the signing key', async () => {
    const c = await cluster(codec)
    const t = await c.login(c.app({ globalSecret: OLD }))
    // Its refresh token was tagged under the old key, which is gone by the time it is presented.
    const after = c.app({ keyring: retired })
    expect((await c.call(after, '/auth/me', { token: t.access_token })).status).toBe(401)
    const next = await c.refresh(after, t.refresh_token)
    expect(next.status).toBe(200)
    expect(headerOf(next.body.access_token).kid).toBe('k2')
    expect((await c.call(after, '/auth/me', { token: next.body.access_token })).status).toBe(200)
  })

  it('a token without kid (signed before key ids) is checked with the key `default`, and expires with it', async () => {
    const c = await cluster(codec)
    const t = await c.login(c.app({ globalSecret: OLD }))
    const claims = claimsOf(t.access_token)
    const legacy = forge({ alg: 'HS256', typ: 'JWT' }, claims, await c.rawKey(OLD))
    expect((await c.call(c.app({ keyring: switched }), '/auth/me', { token: legacy })).status).toBe(200)
    const refused = await c.call(c.app({ keyring: retired }), '/auth/me', { token: legacy })
    expect(refused.status).toBe(401)
    expect(await codeOf(refused)).toBe('token_expired')
  })

  it('a kid the ring lacks costs no user lookup: 401 token_expired, whatever sub it names', async () => {
    const c = await cluster(codec)
    const a = c.app({ keyring: switched })
    const t = await c.login(a)
    const claims = claimsOf(t.access_token)
    const before = c.reads.users
    for (let i = 0; i < 100; i++) {
      const token = forge(
        { alg: 'HS256', typ: 'JWT', kid: `r${i}` },
        { ...claims, sub: randomUUID() },
        Buffer.from('attacker'),
      )
      const res = await c.call(a, '/auth/me', { token })
      expect(res.status).toBe(401)
      expect(await codeOf(res)).toBe('token_expired')
    }
    expect(c.reads.users - before).toBe(0)
  })

  it("sub_mac is checked under the key the kid names: another key's MAC buys no lookup", async () => {
    const c = await cluster(codec)
    const a = c.app({ keyring: switched })
    const t = await c.login(a)
    const claims = claimsOf(t.access_token)
    const before = c.reads.users
    for (const [kid, macUnder] of [
      ['k2', OLD],
      ['default', NEW],
    ] as const) {
      const sub = randomUUID()
      const token = forge(
        { alg: 'HS256', typ: 'JWT', kid },
        { ...claims, sub, sub_mac: subjectMac(macUnder, sub) },
        Buffer.from('x'),
      )
      const res = await c.call(a, '/auth/me', { token })
      expect(await codeOf(res)).toBe('invalid_token')
    }
    expect(c.reads.users - before).toBe(0)
    // The control: under the right key's sub_mac, the same made-up sub is looked up (and is nobody).
    const sub = randomUUID()
    const control = forge(
      { alg: 'HS256', typ: 'JWT', kid: 'default' },
      { ...claims, sub, sub_mac: subjectMac(OLD, sub) },
      Buffer.from('x'),
    )
    expect(await codeOf(await c.call(a, '/auth/me', { token: control }))).toBe('invalid_token')
    expect(c.reads.users - before).toBe(1)
  })

  it('a token signed with a key of the ring but naming another kid is refused', async () => {
    const c = await cluster(codec)
    const a = c.app({ keyring: switched })
    const t = await c.login(a) // kid k2, signed under NEW
    const claims = claimsOf(t.access_token)
    const relabelled = forge({ alg: 'HS256', typ: 'JWT', kid: 'default' }, claims, await c.rawKey(NEW))
    expect(await codeOf(await c.call(a, '/auth/me', { token: relabelled }))).toBe('invalid_token')
    // The same token under its own kid passes: it is the mismatch that is refused.
    const genuine = forge({ alg: 'HS256', typ: 'JWT', kid: 'k2' }, claims, await c.rawKey(NEW))
    expect(genuine).toBe(t.access_token)
    expect(b64url(headerOf(genuine))).toBe(genuine.split('.')[0])
  })
})
