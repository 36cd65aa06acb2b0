// Refresh coalescing through the SDK in Node: N concurrent requests on an expired access token must cause
// exactly one POST /auth/refresh, each request then succeeding. The SDK's axios instance talks to the
// reference server's createApp() in process (fetchAdapter), whose clock the bench moves: no sleeps.
// Two ways a token is expired: the server sees it first (the client's clock is behind, so every request
// meets a 401 token_expired and is retried once), and the client sees it first (refreshes before sending).
import { createApp, createMemoryStore, createPbkdf2Hasher, seedUsers } from '@leash/reference-server'
import { nodeCodec } from '@leash/reference-server/node'
import { createLeashClient } from '@leash/sdk'
import axios from 'axios'
import { fetchAdapter } from './adapter.js'
import { emit, median, round } from './lib.js'

const TTL = 300
const SIZES = [10, 100, 1000]
const QUICK = process.env.BENCH_QUICK === '1'
const reps = (n) => (QUICK ? 2 : n >= 1000 ? 5 : 9)

async function scenario(mode, n) {
  let serverNow = Date.UTC(2026, 0, 1)
  const hasher = createPbkdf2Hasher(1_000)
  const store = createMemoryStore()
  const app = createApp({
    store,
    hasher,
    codec: nodeCodec,
    clock: { now: () => serverNow },
    globalSecret: 'bench-global-secret-at-least-32-bytes-long',
    config: { accessTtl: TTL, secureCookies: false },
  })
  await seedUsers(store, hasher, [{ username: 'bench', password: 'bench-password' }], serverNow)
  const { adapter, count } = fetchAdapter((request) => app.fetch(request))
  const frozen = serverNow
  const leash = createLeashClient({
    axios: axios.create({ baseURL: 'http://leash.bench', adapter }),
    storage: 'memory',
    refreshTransport: 'body',
    crossTab: false,
    activity: 'requests',
    window: undefined,
    // 'server': the client's clock stands still, so only the server knows the token has expired.
    clock: mode === 'server' ? () => frozen : () => serverNow,
  })
  await leash.login({ username: 'bench', password: 'bench-password' })

  const wave = async () => {
    const started = performance.now()
    const responses = await Promise.all(Array.from({ length: n }, () => leash.http.get('/auth/me')))
    const ms = performance.now() - started
    const bad = responses.filter((r) => r.status !== 200).length
    if (bad) throw new Error(`${bad} of ${n} requests failed`)
    return ms
  }
  const samples = []
  const freshes = []
  const calls = []
  await wave() // warm-up
  for (let i = 0; i < reps(n); i++) {
    const fresh = await wave()
    serverNow += (TTL + 1) * 1000
    const before = count('/auth/refresh')
    const expired = await wave()
    calls.push(count('/auth/refresh') - before)
    samples.push(expired - fresh)
    freshes.push(fresh)
  }
  leash.dispose()
  app.close()
  return {
    refresh_calls: Math.max(...calls),
    calls_per_rep: calls,
    added_ms: median(samples),
    fresh_ms: median(freshes),
  }
}

async function main() {
  const runs = []
  for (const n of SIZES) {
    const server = await scenario('server', n)
    const client = await scenario('client', n)
    runs.push({
      n,
      refresh_calls: server.refresh_calls,
      added_ms: round(server.added_ms, 2),
      fresh_wave_ms: round(server.fresh_ms, 2),
      client_first_refresh_calls: client.refresh_calls,
      client_first_added_ms: round(client.added_ms, 2),
      calls_per_rep: server.calls_per_rep,
    })
    process.stderr.write(
      `  refresh n=${n}: ${server.refresh_calls} call(s), +${round(server.added_ms, 2)} ms (401 path); ` +
        `${client.refresh_calls} call(s), +${round(client.added_ms, 2)} ms (client-first)\n`,
    )
  }
  emit({
    runs,
    note: 'refresh_calls/added_ms: every request meets a 401 token_expired (server saw the expiry first) and is retried once after one refresh; client_first_*: the client knew and refreshed before sending. added_ms = median over reps of (wave on an expired token − wave on a fresh one); fresh_wave_ms = the fresh wave itself. Client and server share one thread here, so on the 401 path added_ms includes the server answering N 401s and N retries.',
  })
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
