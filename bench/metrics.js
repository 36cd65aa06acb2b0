// The cost of metrics + audit on the hottest route: GET /auth/me on the Leash server with Prometheus
// metrics on (LEASH_METRICS_PORT) against the same server with them off, both with the audit trail (always
// on; a successful /auth/me records no event, so its cost there is its absence from the path).
// 1. Over HTTP: each round starts a fresh pair of server processes pinned to one core (the start order
//    alternating, as frameworks.js does) and loads them from the other in short interleaved slices
//    (`interleaved`). The figure is the median of the per-round ratios of server CPU per request.
// 2. In one process, no sockets: app.request('/auth/me') on three apps (metrics on, and off twice: an A/A
//    control) in rounds of rotating order (lib.js `compare`), CPU µs per request: the cost alone.
// BENCH_METRICS_ROUNDS sets (1)'s rounds (default 12), BENCH_QUICK=1 shortens both.
import { createApp, createPbkdf2Hasher, seedUsers } from '@leash/reference-server'
import { createPromMetrics, createSqliteStore, nodeCodec } from '@leash/reference-server/node'
import { CONNECTIONS, cpuOf, isPinned, load, startChild } from './http.js'
import { compare, emit, median, round, roundFigures } from './lib.js'
import { call } from './servers/common.js'

const QUICK = process.env.BENCH_QUICK === '1'
const ROUNDS = Number(process.env.BENCH_METRICS_ROUNDS ?? (QUICK ? 2 : 10))
const OFF = 'leash'
const ON = 'leash-metrics'

/** SIGTERM, and wait for the process to be gone (so that it takes no CPU from the next round). */
function stop(server) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return Promise.resolve()
  return new Promise((done) => {
    server.child.once('exit', () => done())
    server.child.kill('SIGTERM')
  })
}

/** The number of GET /auth/me 200s the server's own histogram counted. */
async function counted(server) {
  const res = await call(server.metricsUrl, 'GET', '/metrics', {})
  const line = res.text
    .split('\n')
    .find((l) =>
      l.startsWith('leash_http_request_duration_seconds_count{route="/auth/me",method="GET",status="200"}'),
    )
  return line ? Number(line.split(' ').at(-1)) : 0
}

const SLICES = QUICK ? 8 : 24
const SLICE_REQUESTS = QUICK ? 2_000 : 4_000

/**
 * Loads the pair in many short slices of `SLICE_REQUESTS` requests, alternating A B B A A B B A …, and sums
 * each server's CPU time and requests over its slices: on a machine shared with other work, whose load
 * swings within seconds, one long run each met different loads (per-round ratios from 0.6 to 2.5 in one
 * run), while interleaved slices meet the same mix.
 */
async function interleaved(servers) {
  for (const s of servers) await load(s, 1)
  const sums = Object.fromEntries(servers.map((s) => [s.name, { cpu: 0, requests: 0, seconds: 0 }]))
  for (let i = 0; i < SLICES; i++) {
    const server = servers[(i + (i >> 1)) % 2]
    const before = await cpuOf(server)
    const result = await load(server, 0, SLICE_REQUESTS)
    const cpu = (await cpuOf(server)) - before
    const bad = result.non2xx + result.errors + result.timeouts
    if (bad > 0 || result.requests.total === 0)
      throw new Error(`${server.name}: ${bad} failed requests of ${result.requests.total}`)
    const sum = sums[server.name]
    sum.cpu += cpu
    sum.requests += result.requests.total
    sum.seconds += result.duration
  }
  return Object.fromEntries(
    servers.map((s) => {
      const { cpu, requests, seconds } = sums[s.name]
      return [s.name, { rps: requests / seconds, cpu_us_per_req: round(cpu / requests, 1) }]
    }),
  )
}

async function overHttp() {
  const pinned = isPinned()
  const runs = { [OFF]: [], [ON]: [] }
  const running = new Set()
  let countedMin = Number.POSITIVE_INFINITY
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const both = [OFF, ON]
      const started = []
      for (const name of r % 2 === 0 ? both : [...both].reverse()) {
        const server = await startChild(name, pinned)
        running.add(server)
        started.push(server)
      }
      const once = await interleaved(Math.floor(r / 2) % 2 === 0 ? started : [...started].reverse())
      for (const name of both) runs[name].push(once[name])
      process.stderr.write(
        `  metrics round ${r + 1}/${ROUNDS}: server CPU off ${once[OFF].cpu_us_per_req} µs/req, ` +
          `on ${once[ON].cpu_us_per_req} µs/req (${round(once[ON].cpu_us_per_req / once[OFF].cpu_us_per_req, 3)}×); ` +
          `${Math.round(once[OFF].rps)} and ${Math.round(once[ON].rps)} req/s\n`,
      )
      // Metrics really were on: the server counted every request (warm-up and sign-in's included).
      countedMin = Math.min(countedMin, await counted(started.find((s) => s.name === ON)))
      for (const server of started) {
        await stop(server)
        running.delete(server)
      }
    }
  } finally {
    await Promise.all([...running].map(stop))
  }
  const { figure, perRound } = roundFigures(runs)
  return {
    off_cpu_us: figure(OFF, 'cpu_us_per_req'),
    on_cpu_us: figure(ON, 'cpu_us_per_req'),
    cpu_ratio: perRound(ON, OFF, 'cpu_us_per_req'),
    // The spread of the per-round ratios: what one round alone could have said on this machine today.
    cpu_ratio_range: [
      round(Math.min(...runs[ON].map((x, i) => x.cpu_us_per_req / runs[OFF][i].cpu_us_per_req)), 2),
      round(Math.max(...runs[ON].map((x, i) => x.cpu_us_per_req / runs[OFF][i].cpu_us_per_req)), 2),
    ],
    off_rps: round(figure(OFF, 'rps'), 0),
    on_rps: round(figure(ON, 'rps'), 0),
    rps_ratio: perRound(ON, OFF, 'rps'),
    requests_counted_min: countedMin,
    pinned,
    connections: CONNECTIONS,
    slices: SLICES,
    slice_requests: SLICE_REQUESTS,
    rounds: ROUNDS,
    runs,
  }
}

async function meApp(metrics) {
  const hasher = createPbkdf2Hasher(1_000)
  const store = createSqliteStore(':memory:')
  const app = createApp({
    store,
    hasher,
    codec: nodeCodec,
    globalSecret: 'bench-global-secret-at-least-32-bytes-long',
    config: { accessTtl: 3600, secureCookies: false },
    clientIp: () => '127.0.0.1',
    ...(metrics && { metrics }),
  })
  await seedUsers(store, hasher, [{ username: 'bench', password: 'bench-password' }], Date.now())
  const login = await app.request('/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: 'bench-password', refresh_transport: 'body' }),
  })
  const headers = { authorization: `Bearer ${(await login.json()).access_token}` }
  return async () => (await app.request('/auth/me', { headers })).status === 200
}

async function inProcess() {
  const prom = createPromMetrics()
  // Two apps with metrics off: the second is the A/A control, how far two identical apps differ here.
  const candidates = [
    { name: 'off', fn: await meApp(null), async: true },
    { name: 'on', fn: await meApp(prom.metrics), async: true },
    { name: 'off_again', fn: await meApp(null), async: true },
  ]
  const rounds = QUICK ? 5 : 21
  const result = await compare(candidates, { rounds, roundMs: QUICK ? 100 : 300 })
  const off = result.off.samples.map((x, i) => (x + result.off_again.samples[i]) / 2)
  return {
    off_us: round(median(off), 2),
    on_us: round(result.on.us, 2),
    added_us: round(median(result.on.samples.map((x, i) => x - off[i])), 2),
    // Per round: metrics on ÷ the mean of the two apps with them off.
    cpu_ratio: round(median(result.on.samples.map((x, i) => x / off[i])), 3),
    aa_ratio: round(median(result.off_again.samples.map((x, i) => x / result.off.samples[i])), 3),
    rounds,
  }
}

const inprocess = await inProcess()
process.stderr.write(
  `  metrics in-process: off ${inprocess.off_us} µs, on ${inprocess.on_us} µs, ×${inprocess.cpu_ratio} (A/A ×${inprocess.aa_ratio})\n`,
)
const http = await overHttp()
emit({ http, inprocess })
