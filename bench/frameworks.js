// The middleware's cost where users run it: Leash's Express middleware against express-jwt, and its Fastify
// plugin against @fastify/jwt, each pair on the same framework, route (GET /api/profile) and response
// (`{ user: { id, username, role } }`). All four servers run as child processes pinned to one core, loaded
// by autocannon from the other (run.js pins this process), in rounds whose order rotates; the figure is the
// server's CPU per request, and each ratio the median of the per-round ratios of a pair.
// BENCH_FRAMEWORKS=express (or fastify) runs one pair, e.g. with BENCH_CPU_PROF to profile it.
import { CONNECTIONS, DURATION, isPinned, measure, startChild } from './http.js'
import { emit, median, round } from './lib.js'

const PAIRS = [
  { name: 'express', leash: 'express-leash', stateless: 'express-jwt', peer: 'express-jwt' },
  { name: 'fastify', leash: 'fastify-leash', stateless: 'fastify-jwt', peer: '@fastify/jwt' },
]
const chosen = (process.env.BENCH_FRAMEWORKS ?? 'express,fastify').split(',')
// More rounds than the /auth/me section: a framework's own cost (Express's is about 10× the check) makes each
// round's ratio noisier on a shared machine.
const ROUNDS = Number(process.env.BENCH_FRAMEWORK_ROUNDS ?? (process.env.BENCH_QUICK === '1' ? 1 : 7))

async function main() {
  const pinned = isPinned()
  const pairs = PAIRS.filter((p) => chosen.includes(p.name))
  const servers = []
  try {
    for (const pair of pairs)
      for (const name of [pair.leash, pair.stateless]) servers.push(await startChild(name, pinned))
    const runs = await measure(servers, { rounds: ROUNDS })
    const figure = (name, key) => median(runs[name].map((run) => run[key]))
    const perRound = (a, b, key) => round(median(runs[a].map((run, i) => run[key] / runs[b][i][key])), 2)
    emit({
      frameworks: pairs.map((p) => ({
        name: p.name,
        peer: p.peer,
        leash_cpu_us: figure(p.leash, 'cpu_us_per_req'),
        stateless_cpu_us: figure(p.stateless, 'cpu_us_per_req'),
        cpu_ratio: perRound(p.leash, p.stateless, 'cpu_us_per_req'),
        leash_rps: round(figure(p.leash, 'rps'), 0),
        stateless_rps: round(figure(p.stateless, 'rps'), 0),
        rps_ratio: perRound(p.leash, p.stateless, 'rps'),
      })),
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

await main()
