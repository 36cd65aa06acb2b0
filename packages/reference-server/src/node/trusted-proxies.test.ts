import { afterEach, describe, expect, it } from 'vitest'
import { createApp, type LeashApp } from '../app.js'
import { createPbkdf2Hasher } from '../auth/passwords.js'
import { ConfigError, type ServerConfig } from '../config.js'
import { seedUsers } from '../seed.js'
import { createMemoryStore } from '../store/memory.js'
import { GLOBAL_SECRET } from '../test/harness.js'
import { appFromEnv, type EnvApp } from './app-from-env.js'
import { trustedProxiesFrom } from './env.js'
import { nodeClientIpBehind } from './node-request.js'

// LEASH_TRUSTED_PROXIES, end to end through appFromEnv: requests carry the Node request that
// @hono/node-server hands the app (`{ incoming }`), so the client address is read as on a real socket.
// Each budget is one attempt (LEASH_LOGIN_RATE=1).

const open: EnvApp[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((a) => a.close()))
})

type Login = (password: string, peer: string, headers?: Record<string, string>) => Promise<Response>

/** A login as it reaches `app` from the socket peer `peer`, with these request headers. */
const loginTo =
  (app: { request: LeashApp['request'] }): Login =>
  (password, peer, headers = {}) => {
    const all = { 'content-type': 'application/json', ...headers }
    return Promise.resolve(
      app.request(
        '/auth/login',
        { method: 'POST', headers: all, body: JSON.stringify({ username: 'alice', password }) },
        { incoming: { headers: all, socket: { remoteAddress: peer } } },
      ),
    )
  }

/** The server `leash-server` runs (scrypt: about 0.4 s of a core a hash, so used once here). */
async function envServer(env: Record<string, string>) {
  const leash = await appFromEnv(
    {
      LEASH_DATABASE: 'sqlite::memory:',
      LEASH_GLOBAL_SECRET: GLOBAL_SECRET,
      LEASH_SEED_USERS: 'alice:alice-password',
      LEASH_LOGIN_RATE: '1',
      ...env,
    },
    { quiet: true },
  )
  open.push(leash)
  return { login: loginTo(leash.app) }
}

/** createApp with the client address read as appFromEnv reads it, over a fast hasher. */
async function server(env: Record<string, string>, config: Partial<ServerConfig> = { loginRate: 1 }) {
  const store = createMemoryStore()
  const hasher = createPbkdf2Hasher(1_000)
  await seedUsers(store, hasher, [{ username: 'alice', password: 'alice-password' }], Date.now())
  const app = createApp({
    store,
    hasher,
    globalSecret: GLOBAL_SECRET,
    config,
    clientIp: nodeClientIpBehind(trustedProxiesFrom(env)),
  })
  return { login: loginTo(app) }
}

const PROXY = '10.0.0.2'
const A = { 'x-forwarded-for': '198.51.100.1' }
const B = { 'x-forwarded-for': '198.51.100.2' }

describe('LEASH_TRUSTED_PROXIES', { timeout: 30_000 }, () => {
  it('behind a trusted proxy, each client has its own budget: wrong passwords from A do not lock out B', async () => {
    const { login } = await envServer({ LEASH_TRUSTED_PROXIES: '10.0.0.0/8,::1' })
    expect((await login('wrong-password', PROXY, A)).status).toBe(401)
    expect((await login('alice-password', PROXY, A)).status).toBe(429)
    expect((await login('alice-password', PROXY, B)).status).toBe(200)
  })

  it('reads Forwarded too, a quoted IPv6 client with its port', async () => {
    const { login } = await server({ LEASH_TRUSTED_PROXIES: 'loopback' })
    const v6 = (n: number) => ({ forwarded: `for="[2001:db8:${n}::1]:4711";proto=https` })
    expect((await login('wrong-password', '::1', v6(1))).status).toBe(401)
    expect((await login('alice-password', '::ffff:127.0.0.1', v6(1))).status).toBe(429)
    expect((await login('alice-password', '127.0.0.1', v6(2))).status).toBe(200)
  })

  it('the per-IP limit is per client too: one client spending it does not lock out every user', async () => {
    const { login } = await server({ LEASH_TRUSTED_PROXIES: '10.0.0.0/8' }, { ipRate: 2 })
    expect((await login('wrong-password', PROXY, A)).status).toBe(401)
    expect((await login('wrong-password', PROXY, A)).status).toBe(401)
    expect((await login('alice-password', PROXY, A)).status).toBe(429)
    expect((await login('alice-password', PROXY, B)).status).toBe(200)
  })

  it('a client reaching the server directly cannot pick its address with a forged header', async () => {
    const { login } = await server({ LEASH_TRUSTED_PROXIES: '10.0.0.0/8' })
    const direct = '203.0.113.9'
    expect((await login('wrong-password', direct, A)).status).toBe(401)
    expect((await login('alice-password', direct, B)).status).toBe(429)
    expect((await login('alice-password', direct, { forwarded: 'for=198.51.100.4' })).status).toBe(429)
  })

  it('unset, the peer is the client: the proxy address is everyone`s', async () => {
    const { login } = await server({})
    expect((await login('wrong-password', PROXY, A)).status).toBe(401)
    expect((await login('alice-password', PROXY, B)).status).toBe(429)
  })

  it.each(['10.0.0.0/8,proxy.internal', '10.0.0.0/33', '::1/200', '10.0.0.1:80'])(
    'refuses %o at start, naming the variable',
    async (value) => {
      const start = envServer({ LEASH_TRUSTED_PROXIES: value })
      await expect(start).rejects.toThrow(ConfigError)
      await expect(start).rejects.toThrow(/LEASH_TRUSTED_PROXIES/)
    },
  )
})
