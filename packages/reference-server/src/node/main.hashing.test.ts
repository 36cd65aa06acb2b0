import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from './main.js'

// The real server on a socket, with OWASP scrypt (128 MiB and about half a second of a core per hash):
// a burst of bad logins must not push a concurrent refresh past a few hundred milliseconds. The hashing
// gate keeps a core and a libuv pool thread free and refuses what it cannot queue; the refresh path hashes
// its token synchronously, so it never waits in the pool behind scrypt.

const CONCURRENCY = 1
const QUEUE = 3
const BURST = 16
const REFRESH_BUDGET_MS = 500

const env = {
  LEASH_PORT: '0',
  LEASH_DATABASE: 'sqlite::memory:',
  LEASH_GLOBAL_SECRET: 'hashing-test-global-secret-of-32-bytes!',
  LEASH_SEED_USERS: 'alice:alice-password',
  // Every request comes from 127.0.0.1: the per-IP limit is raised out of the way of the burst.
  LEASH_IP_RATE: '1000',
  LEASH_HASH_CONCURRENCY: String(CONCURRENCY),
  LEASH_HASH_QUEUE: String(QUEUE),
}

describe('the server on a socket, under a burst of bad logins', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer(env, true)
  }, 20_000)
  afterAll(() => server?.close())

  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })

  it(`a refresh answers within ${REFRESH_BUDGET_MS} ms while ${BURST} logins hash; the gate's overflow gets 503`, {
    timeout: 30_000,
  }, async () => {
    const signedIn = await post('/auth/login', {
      username: 'alice',
      password: 'alice-password',
      refresh_transport: 'body',
    })
    expect(signedIn.status).toBe(200)
    const { refresh_token } = (await signedIn.json()) as { refresh_token: string }
    // Made once, the decoy hash for unknown usernames: from now on each bad login is one scrypt.
    expect((await post('/auth/login', { username: 'nobody', password: 'wrong-password' })).status).toBe(401)

    let pending = BURST
    const burst = Array.from({ length: BURST }, (_, i) =>
      post('/auth/login', { username: `guess${i}`, password: 'wrong-password' }).then(async (res) => {
        pending -= 1
        return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() }
      }),
    )
    // A real socket has no hook for "the server has them all": give it time to read and dispatch the burst.
    await new Promise((done) => setTimeout(done, 100))
    const started = performance.now()
    const refreshed = await post('/auth/refresh', { refresh_token })
    const elapsed = performance.now() - started
    const stillHashing = pending
    console.info(`refresh during a burst of ${BURST} bad logins: ${elapsed.toFixed(1)} ms`)
    expect(refreshed.status).toBe(200)
    expect(((await refreshed.json()) as { refresh_token?: string }).refresh_token).toMatch(/^[\w-]{43,}$/)
    expect(elapsed).toBeLessThan(REFRESH_BUDGET_MS)
    expect(stillHashing).toBeGreaterThan(0) // it did overlap the hashing

    const results = await Promise.all(burst)
    const admitted = results.filter((r) => r.status === 401)
    const refused = results.filter((r) => r.status === 503)
    expect(admitted).toHaveLength(CONCURRENCY + QUEUE)
    expect(refused).toHaveLength(BURST - CONCURRENCY - QUEUE)
    for (const r of admitted) expect(r.body).toMatchObject({ error: { code: 'invalid_credentials' } })
    for (const r of refused) {
      expect(r.body).toMatchObject({ error: { code: 'server_busy' } })
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1)
    }
  })
})
