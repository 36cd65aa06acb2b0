#!/usr/bin/env node
// A bounded load run on 127.0.0.1: three instances sharing PostgreSQL + Redis, 1,000 sessions that call
// /api/notes through a "load balancer" without affinity (each request goes to any instance) and refresh
// their short-lived access tokens as the SDK does. Stops by itself; prints one JSON summary.
//
//   eval "$(scripts/services.sh start)" && npm run load
//
// LEASH_LOAD_SECONDS (default 60, at most 60), LEASH_LOAD_SESSIONS (default 1000), LEASH_LOAD_THINK_MS
// (default 10000), LEASH_LOAD_SERVER_LOGS=1 (pass the servers' log lines through), LEASH_LOAD_PROFILE=1
// (--cpu-prof into /tmp/prof). Needs LEASH_TEST_DATABASE_URL and LEASH_TEST_REDIS_URL; works in a schema
// of its own and drops it afterwards. Exit code 0 only with zero errors.
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { createLoad } from './load-sessions.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const seconds = Math.min(60, Number(process.env.LEASH_LOAD_SECONDS ?? 60))
const sessionCount = Number(process.env.LEASH_LOAD_SESSIONS ?? 1000)
const database = process.env.LEASH_TEST_DATABASE_URL
const redis = process.env.LEASH_TEST_REDIS_URL
if (!database || !redis) {
  console.error(
    'load: set LEASH_TEST_DATABASE_URL and LEASH_TEST_REDIS_URL (eval "$(scripts/services.sh start)")',
  )
  process.exit(2)
}
const ACCESS_TTL = 40 // s: every session refreshes at least once in the run
const REFRESH_BEFORE = 10 // s before expiry, as the SDK schedules it
// Mean pause between one session's requests: 1,000 sessions offer about 100 notes calls a second plus
// their refreshes, a rate a shared 2-core machine sustains with room to spare (LEASH_LOAD_THINK_MS).
const THINK_MS = Number(process.env.LEASH_LOAD_THINK_MS ?? 10_000)

const built = spawnSync('npx', ['tsc', '-b', 'packages/reference-server'], { cwd: root, stdio: 'inherit' })
if (built.status !== 0) process.exit(built.status ?? 1)
const { createPostgresStore, createScryptHasher } = await import(
  new URL('../packages/reference-server/dist/node/index.js', import.meta.url).href
)

// Seed users straight into the store, hashed with a cheap scrypt N (the server reads N from each hash),
// so that 1,000 logins cost milliseconds, not the 0.6 s each of OWASP parameters.
const schema = `leash_load_${randomBytes(4).toString('hex')}`
const store = createPostgresStore({ url: database, schema, max: 4 })
await store.ready()
const hash = await createScryptHasher({ N: 1024, r: 8, p: 1 }).hash('load-password')
for (let i = 0; i < sessionCount; i++) {
  await store.createUser({
    id: `load-${i}`,
    username: `load${i}`,
    passwordHash: hash,
    role: 'user',
    enabled: true,
    secret: randomBytes(32).toString('base64url'),
    createdAt: Date.now(),
  })
}

const instanceHeaps = {}
const loadBefore = os.loadavg()
const instances = await Promise.all(
  ['A', 'B', 'C'].map(
    (name) =>
      new Promise((ready, fail) => {
        const probe = fileURLToPath(new URL('./load-heap-probe.cjs', import.meta.url))
        const args = [
          ...(process.env.LEASH_LOAD_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []),
          '--expose-gc',
          '--require',
          probe,
          'packages/reference-server/dist/node/bin.js',
        ]
        const child = spawn(process.execPath, args, {
          cwd: root,
          env: {
            PATH: process.env.PATH,
            LEASH_HOST: '127.0.0.1',
            LEASH_PORT: '0',
            LEASH_DATABASE: `${database}?schema=${schema}`,
            LEASH_REDIS_URL: redis,
            LEASH_GLOBAL_SECRET: 'load-run-global-secret-0123456789abcdef',
            LEASH_ACCESS_TTL: String(ACCESS_TTL),
            LEASH_LOG: 'warn',
            // Every simulated user signs in from 127.0.0.1: 1,000 logins, over the per-IP limit of 60 a minute.
            LEASH_IP_RATE: '100000',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        let out = ''
        child.stdout.on('data', (chunk) => {
          const lines = (out + chunk).split('\n')
          out = lines.pop()
          for (const line of lines) {
            if (line.includes('"msg":"listening"')) {
              ready({ name, child, port: Number(new URL(JSON.parse(line).url).port), rss: [] })
            } else if (process.env.LEASH_LOAD_SERVER_LOGS || line.includes('"level":"error"')) {
              process.stderr.write(`[${name}] ${line}\n`)
            }
          }
        })
        const heap = []
        let err = ''
        child.stderr.on('data', (chunk) => {
          const lines = (err + chunk).split('\n')
          err = lines.pop()
          for (const line of lines) {
            if (line.startsWith('{"leash_load_heap"')) heap.push(JSON.parse(line).leash_load_heap / 2 ** 20)
            else process.stderr.write(`[${name}] ${line}\n`)
          }
        })
        instanceHeaps[name] = heap
        child.once('exit', (code) => fail(new Error(`${name} exited (${code})`)))
      }),
  ),
)

const latencies = []
/** Latencies of requests sent once every session had signed in: the steady state, without the login storm. */
const steady = []
let allSignedIn = false
let loginsAnswered = 0
const latencyByRoute = {}
const load = createLoad({
  ports: () => instances.map((i) => i.port),
  username: (i) => `load${i}`,
  password: () => 'load-password',
  refreshBefore: REFRESH_BEFORE,
  thinkMs: THINK_MS,
  onAnswer: ({ method, path, ms }) => {
    latencies.push(ms)
    if (allSignedIn) steady.push(ms)
    if (path === '/auth/login' && ++loginsAnswered === sessionCount) allSignedIn = true
    const route = `${method} ${path}`
    latencyByRoute[route] ??= []
    latencyByRoute[route].push(ms)
  },
})
const { counts } = load
const sleep = (ms) => new Promise((done) => setTimeout(done, ms))
/** CPU seconds used so far by a process (user + system), or by every process of a command name. */
const cpuOf = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}
const cpuOfCommand = (command) => {
  let total = 0
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === command) total += cpuOf(pid)
    } catch {}
  }
  return total
}
const rssOf = (pid) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024

const startedAt = Date.now()
const cpuBefore = {
  servers: instances.map((i) => cpuOf(i.child.pid)),
  postgres: cpuOfCommand('postgres'),
  redis: cpuOfCommand('redis-server'),
  generator: process.cpuUsage(),
}
const sampler = setInterval(() => {
  for (const instance of instances) instance.rss.push(rssOf(instance.child.pid))
}, 2_000)
const sessions = []
for (let i = 0; i < sessionCount; i++) {
  sessions.push(load.session(i))
  if (i % 10 === 9) await sleep(100) // ramp up: 100 logins a second
}
await sleep(Math.max(0, startedAt + seconds * 1000 - Date.now()))
load.stop()
await Promise.all(sessions)
clearInterval(sampler)
const cpuSeconds = {
  servers: instances.map((i, n) => Number((cpuOf(i.child.pid) - cpuBefore.servers[n]).toFixed(1))),
  postgres: Number((cpuOfCommand('postgres') - cpuBefore.postgres).toFixed(1)),
  redis: Number((cpuOfCommand('redis-server') - cpuBefore.redis).toFixed(1)),
  generator: Number(
    (Object.values(process.cpuUsage(cpuBefore.generator)).reduce((a, b) => a + b, 0) / 1e6).toFixed(1),
  ),
}
const elapsed = (Date.now() - startedAt) / 1000

// Least-squares slope of RSS over the second half of the run (after warm-up), in MiB per minute.
const slope = (values, everySeconds) => {
  const ys = values.slice(Math.floor(values.length / 2))
  const n = ys.length
  if (n < 3) return 0
  const xs = ys.map((_, i) => (i * everySeconds) / 60)
  const mx = xs.reduce((a, b) => a + b) / n
  const my = ys.reduce((a, b) => a + b) / n
  const num = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0)
  const den = xs.reduce((s, x) => s + (x - mx) ** 2, 0)
  return num / den
}
const pct = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b)
  return Number(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)].toFixed(2))
}
const summary = {
  seconds: elapsed,
  sessions: sessionCount,
  instances: instances.length,
  requests: counts.requests,
  requestsPerSecond: Math.round(counts.requests / elapsed),
  logins: counts.logins,
  refreshes: counts.refreshes,
  notesCalls: counts.notes,
  expiredThenRefreshed: counts.expiredThenRefreshed,
  staleSocketRetries: counts.staleSocketRetries,
  errors: counts.errors,
  byStatus: counts.byStatus,
  latencyMs: { p50: pct(latencies, 50), p99: pct(latencies, 99), max: pct(latencies, 100) },
  steadyLatencyMs: steady.length
    ? { n: steady.length, p50: pct(steady, 50), p99: pct(steady, 99), max: pct(steady, 100) }
    : null,
  latencyMsByRoute: Object.fromEntries(
    Object.entries(latencyByRoute).map(([route, values]) => [
      route,
      { n: values.length, p50: pct(values, 50), p99: pct(values, 99) },
    ]),
  ),
  heapAfterGcMiB: Object.fromEntries(
    Object.entries(instanceHeaps).map(([name, h]) => [
      name,
      {
        samples: h.map((v) => Number(v.toFixed(1))),
        secondHalfSlopePerMin: Number(slope(h, 5).toFixed(2)),
      },
    ]),
  ),
  loadAverage: {
    before: loadBefore.map((v) => Number(v.toFixed(2))),
    after: os.loadavg().map((v) => Number(v.toFixed(2))),
  },
  cpus: os.cpus().length,
  cpuSeconds,
  rssMiB: Object.fromEntries(
    instances.map((i) => [
      i.name,
      {
        first: Math.round(i.rss[0]),
        last: Math.round(i.rss.at(-1)),
        max: Math.round(Math.max(...i.rss)),
        secondHalfSlopePerMin: Number(slope(i.rss, 2).toFixed(2)),
      },
    ]),
  ),
}

await Promise.all(
  instances.map(
    ({ child }) =>
      new Promise((done) => {
        child.removeAllListeners('exit').once('exit', done).kill('SIGTERM')
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref()
      }),
  ),
)
load.close()
await store.close()
const { default: pg } = await import('pg')
const admin = new pg.Client({ connectionString: database })
await admin.connect()
await admin.query(`DROP SCHEMA ${schema} CASCADE`)
await admin.end()
console.log(JSON.stringify(summary, null, 2))
process.exit(counts.errors === 0 ? 0 : 1)
