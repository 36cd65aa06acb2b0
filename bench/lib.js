// Shared helpers of the bench sections: timing loops, medians, and the one-line JSON protocol between
// run.js and the section scripts it spawns.

/** The middle value (mean of the two middle ones for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/**
 * Figures of rounds of paired runs (`runs[name][round] = { key: value }`): the median of one server's, and
 * the median of the per-round ratios of two (each round loads both back to back, so noise cancels).
 */
export function roundFigures(runs) {
  return {
    figure: (name, key) => median(runs[name].map((run) => run[key])),
    perRound: (a, b, key) => round(median(runs[a].map((run, i) => run[key] / runs[b][i][key])), 2),
  }
}

export const round = (value, digits = 2) =>
  value === null || value === undefined ? null : Math.round(value * 10 ** digits) / 10 ** digits

const nowNs = () => process.hrtime.bigint()
const cpuUs = () => {
  const { user, system } = process.cpuUsage()
  return user + system
}

/**
 * Runs `fn` `iterations` times (awaiting it when `isAsync`); returns µs per call, both of this process's CPU
 * time and of wall-clock time. On a busy machine the CPU figure is the steadier one: time the scheduler
 * gave to other processes is not counted.
 */
export async function timeLoop(fn, iterations, isAsync) {
  let sink = 0
  const cpu0 = cpuUs()
  const start = nowNs()
  if (isAsync) {
    for (let i = 0; i < iterations; i++) if (await fn()) sink++
  } else {
    for (let i = 0; i < iterations; i++) if (fn()) sink++
  }
  const wall = Number(nowNs() - start) / 1000
  const cpu = cpuUs() - cpu0
  if (sink !== iterations)
    throw new Error(`a benchmarked call failed (${iterations - sink} of ${iterations})`)
  return { cpu: cpu / iterations, wall: wall / iterations }
}

/**
 * Compares candidates in one process: each is warmed up and calibrated to `roundMs`, then `rounds` rounds
 * run them in a rotating order, so drift on a noisy machine hits every candidate alike. Each candidate's
 * figure is the median of its rounds' CPU µs/op (`samples`; wall-clock ones in `wallSamples`).
 * A candidate returns something truthy on success.
 */
export async function compare(candidates, { rounds = 7, roundMs = 150, warmupMs = 300 } = {}) {
  const plan = []
  for (const c of candidates) {
    // Warm-up (lets the JIT settle) doubling until it takes long enough to calibrate on.
    let n = 64
    let { wall } = await timeLoop(c.fn, n, c.async)
    while (n * wall < warmupMs * 1000) {
      n *= 2
      ;({ wall } = await timeLoop(c.fn, n, c.async))
    }
    const iterations = Math.max(100, Math.round((roundMs * 1000) / wall))
    plan.push({ ...c, iterations, samples: [], wallSamples: [] })
  }
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < plan.length; i++) {
      const c = plan[(i + r) % plan.length]
      const { cpu, wall } = await timeLoop(c.fn, c.iterations, c.async)
      c.samples.push(cpu)
      c.wallSamples.push(wall)
    }
  }
  return Object.fromEntries(
    plan.map((c) => [
      c.name,
      {
        us: median(c.samples),
        wallUs: median(c.wallSamples),
        samples: c.samples,
        wallSamples: c.wallSamples,
      },
    ]),
  )
}

/** A section script's answer to run.js: one JSON line on stdout, prefixed so stray output cannot break it. */
export const RESULT_PREFIX = '@@bench-result '
export function emit(result) {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`)
}
