// HTTP, loopback only: GET /auth/me on the Leash server (SQLite, warm cache), a stateless jsonwebtoken
// baseline and a lookup-per-request baseline, each in its own child process pinned to a core other than the
// load generator's (run.js pins this process), loaded by autocannon for a bounded time, in rotating order.
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { emit, round, roundFigures } from './lib.js'

const QUICK = process.env.BENCH_QUICK === '1'
export const DURATION = Number(process.env.BENCH_HTTP_SECONDS ?? (QUICK ? 2 : 3))
const WARMUP = 1
export const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? (QUICK ? 1 : 5))
export const CONNECTIONS = 32
const SERVER_CORE = process.env.BENCH_SERVER_CORE ?? '0'
const SERVERS = (process.env.BENCH_HTTP_SERVERS ?? 'leash,stateless,lookup').split(',')

export const hasTaskset = () => spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0

export function startChild(name, pinned) {
  // 'leash@/path/to/dist/node/index.js': the Leash server from another build, to A/B a proposed fix.
  const alt = name.startsWith('leash@') ? name.slice('leash@'.length) : null
  const script = fileURLToPath(new URL(`./servers/${alt ? 'leash' : name}.js`, import.meta.url))
  const env = alt ? { ...process.env, BENCH_LEASH_MAIN: alt } : process.env
  // BENCH_CPU_PROF=<dir> profiles every server child (node --cpu-prof), written when it exits.
  const prof = process.env.BENCH_CPU_PROF
  const node = [process.execPath, ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []), script]
  const [command, args] = pinned ? ['taskset', ['-c', SERVER_CORE, ...node]] : [node[0], node.slice(1)]
  const child = spawn(command, args, { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} server did not start in 20 s`)), 20_000)
    child.once('message', (info) => {
      clearTimeout(timer)
      resolve({ name, child, ...info })
    })
    child.once('exit', (code) => reject(new Error(`${name} server exited (${code}) before it was ready`)))
  })
}

/** The server child's CPU time so far (µs, user + system). */
export function cpuOf(server) {
  return new Promise((resolve) => {
    const onMessage = (message) => {
      if (!message?.cpu) return
      server.child.off('message', onMessage)
      resolve(message.cpu.user + message.cpu.system)
    }
    server.child.on('message', onMessage)
    server.child.send('cpu')
  })
}

/** Loads the server for `seconds`, or for `amount` requests when given. */
export function load(server, seconds, amount) {
  return autocannon({
    url: `${server.url}${server.path}`,
    headers: { authorization: `Bearer ${server.token}` },
    connections: CONNECTIONS,
    ...(amount ? { amount } : { duration: seconds }),
  })
}

/**
 * Loads each server `rounds` times for `duration` s (after a 1 s warm-up), in an order rotated every round,
 * and records per run: req/s, p99 and the server's CPU µs per request. Throws on any failed request.
 * (`first` and `of` only number the rounds in the progress lines, for a caller that runs one at a time.)
 * @returns runs by server name, one entry per round
 */
export async function measure(
  servers,
  { rounds = ROUNDS, duration = DURATION, first = 0, of = rounds } = {},
) {
  const runs = Object.fromEntries(servers.map((s) => [s.name, []]))
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < servers.length; i++) {
      const server = servers[(i + r) % servers.length]
      await load(server, WARMUP)
      const cpuBefore = await cpuOf(server)
      const result = await load(server, duration)
      const cpuUs = (await cpuOf(server)) - cpuBefore
      const bad = result.non2xx + result.errors + result.timeouts
      if (bad > 0 || result.requests.total === 0)
        throw new Error(`${server.name}: ${bad} failed requests of ${result.requests.total}`)
      const cpuPerReq = cpuUs / result.requests.total
      runs[server.name].push({
        rps: result.requests.average,
        p99_ms: result.latency.p99,
        cpu_us_per_req: round(cpuPerReq, 1),
      })
      process.stderr.write(
        `  http round ${first + r + 1}/${of} ${server.name}: ${Math.round(result.requests.average)} req/s, ` +
          `p99 ${result.latency.p99} ms, server CPU ${round(cpuPerReq, 1)} µs/req\n`,
      )
    }
  }
  return runs
}

export const isPinned = () => hasTaskset() && process.env.BENCH_NO_PIN !== '1'

async function main() {
  const pinned = isPinned()
  const servers = []
  try {
    for (const name of SERVERS) servers.push(await startChild(name, pinned))
    const runs = await measure(servers)
    const { figure, perRound } = roundFigures(runs)
    const rps = (name) => round(figure(name, 'rps'), 0)
    if (!SERVERS.includes('leash') || !SERVERS.includes('stateless') || !SERVERS.includes('lookup')) {
      const summary = Object.fromEntries(
        Object.entries(runs).map(([n]) => [
          n,
          { rps: figure(n, 'rps'), cpu_us_per_req: figure(n, 'cpu_us_per_req') },
        ]),
      )
      emit({ summary, runs })
      return
    }
    emit({
      leash_rps: rps('leash'),
      stateless_rps: rps('stateless'),
      lookup_rps: rps('lookup'),
      // Ratios: the median of per-round ratios (each round loads all three back to back).
      ratio_vs_stateless: perRound('leash', 'stateless', 'rps'),
      ratio_vs_lookup: perRound('leash', 'lookup', 'rps'),
      lookup_ratio_vs_stateless: perRound('lookup', 'stateless', 'rps'),
      leash_cpu_us_per_req: figure('leash', 'cpu_us_per_req'),
      stateless_cpu_us_per_req: figure('stateless', 'cpu_us_per_req'),
      lookup_cpu_us_per_req: figure('lookup', 'cpu_us_per_req'),
      cpu_ratio_vs_stateless: perRound('leash', 'stateless', 'cpu_us_per_req'),
      leash_p99_ms: figure('leash', 'p99_ms'),
      stateless_p99_ms: figure('stateless', 'p99_ms'),
      lookup_p99_ms: figure('lookup', 'p99_ms'),
      pinned,
      connections: CONNECTIONS,
      duration_s: DURATION,
      rounds: ROUNDS,
      runs,
    })
  } finally {
    for (const s of servers) s.child.kill('SIGTERM')
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
