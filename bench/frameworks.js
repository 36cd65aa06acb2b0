// The middleware's cost where users run it: Leash's Express middleware against express-jwt, and its Fastify
// plugin against @fastify/jwt, each pair on the same framework, route (GET /api/profile) and response
// (`{ user: { id, username, role } }`), as the server's CPU per request. Servers run as child processes
// pinned to one core, loaded by autocannon from the other (run.js pins this process). Each round starts a
// fresh pair and loads its two servers back to back: an A/A run of one server against a copy of itself
// showed the process started second about 2% cheaper and single processes off by up to 15% (JIT luck), so
// every round has new processes, and the start order and the load order each alternate between rounds.
// Each ratio is the median of the per-round ratios of a pair.
// BENCH_FRAMEWORKS=express (or fastify) runs one pair, e.g. with BENCH_CPU_PROF to profile it.
import { CONNECTIONS, DURATION, isPinned, measure, startChild } from './http.js'
import { emit, round, roundFigures } from './lib.js'

const PAIRS = [
  { name: 'express', leash: 'express-leash', stateless: 'express-jwt', peer: 'express-jwt' },
  { name: 'fastify', leash: 'fastify-leash', stateless: 'fastify-jwt', peer: '@fastify/jwt' },
]
const chosen = (process.env.BENCH_FRAMEWORKS ?? 'express,fastify').split(',')
// More rounds than the /auth/me section, a multiple of 4 so that each start order meets each load order alike.
const ROUNDS = Number(process.env.BENCH_FRAMEWORK_ROUNDS ?? (process.env.BENCH_QUICK === '1' ? 1 : 8))

/** SIGTERM, and wait for the process to be gone (so that it takes no CPU from the next round). */
function stop(server) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return Promise.resolve()
  return new Promise((done) => {
    server.child.once('exit', () => done())
    server.child.kill('SIGTERM')
  })
}

async function main() {
  const pinned = isPinned()
  const pairs = PAIRS.filter((p) => chosen.includes(p.name))
  const runs = Object.fromEntries(
    pairs.flatMap((p) => [
      [p.leash, []],
      [p.stateless, []],
    ]),
  )
  const running = new Set()
  try {
    for (let r = 0; r < ROUNDS; r++) {
      for (const p of pairs) {
        const both = [p.leash, p.stateless]
        const started = []
        for (const name of r % 2 === 0 ? both : [...both].reverse()) {
          const server = await startChild(name, pinned)
          running.add(server)
          started.push(server)
        }
        const order = Math.floor(r / 2) % 2 === 0 ? started : [...started].reverse()
        const once = await measure(order, { rounds: 1, first: r, of: ROUNDS })
        for (const name of both) runs[name].push(once[name][0])
        for (const server of started) {
          await stop(server)
          running.delete(server)
        }
      }
    }
    const { figure, perRound } = roundFigures(runs)
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
    await Promise.all([...running].map(stop))
  }
}

await main()
