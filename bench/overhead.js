// SDK overhead: what Leash's interceptors add to each request, against bare axios, both on the same
// in-process adapter that answers at once (no server), so only client-side work is timed.
import { createLeashClient } from '@leash/sdk'
import axios from 'axios'
import { compare, emit, median, round } from './lib.js'

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url')
const now = Math.floor(Date.now() / 1000)
const ACCESS = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'u1', sid: 's1', role: 'user', iat: now, exp: now + 3600 })}.${'A'.repeat(43)}`
const LOGIN = {
  access_token: ACCESS,
  token_type: 'Bearer',
  expires_in: 3600,
  refresh_token: 'r'.repeat(43),
  session: { id: 's1', idle_expires_in: 1800, absolute_expires_in: 43200 },
  user: { id: 'u1', username: 'bench', role: 'user' },
  user_enabled: true,
}
const NOTES = { notes: [{ id: 'n1', text: 'hello' }], user_enabled: true }

/** Answers at once: the token response for /auth/login, a small JSON body for anything else. */
let sent = null
const adapter = async (config) => {
  sent = config.headers?.Authorization ?? null
  return answer(config)
}
const answer = (config) => ({
  data: config.url?.endsWith('/auth/login') ? LOGIN : NOTES,
  status: 200,
  statusText: 'OK',
  headers: { 'content-type': 'application/json' },
  config,
  request: {},
})

async function main() {
  const bare = axios.create({ baseURL: 'http://leash.bench', adapter })
  const leash = createLeashClient({
    axios: axios.create({ baseURL: 'http://leash.bench', adapter }),
    storage: 'memory',
    refreshTransport: 'body',
    crossTab: false,
    activity: 'requests',
    window: undefined,
  })
  await leash.login({ username: 'bench', password: 'bench-password' })
  await leash.http.get('/api/notes')
  if (sent !== `Bearer ${ACCESS}`) throw new Error('the Leash client did not attach its token')

  const quick = process.env.BENCH_QUICK === '1'
  const results = await compare(
    [
      { name: 'bare', fn: () => bare.get('/api/notes'), async: true },
      { name: 'leash', fn: () => leash.http.get('/api/notes'), async: true },
    ],
    quick ? { rounds: 3, roundMs: 60, warmupMs: 100 } : { rounds: 15, roundMs: 150, warmupMs: 300 },
  )
  leash.dispose()
  emit({
    bare_us: round(results.bare.us, 2),
    leash_us: round(results.leash.us, 2),
    // The median of per-round differences (the two run back to back in each round), not of two medians.
    overhead_us: round(median(results.leash.samples.map((us, i) => us - results.bare.samples[i])), 2),
    clock: 'CPU time of this process per request (wall-clock medians in wall_us)',
    wall_us: { bare: round(results.bare.wallUs, 2), leash: round(results.leash.wallUs, 2) },
    samples_us: {
      bare: results.bare.samples.map((s) => round(s, 2)),
      leash: results.leash.samples.map((s) => round(s, 2)),
    },
  })
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
