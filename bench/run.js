// `npm run bench`: runs each section in its own process (fresh JIT and heap, and its own core pinning),
// then prints a markdown table and writes bench/results.json and bench/results.svg.
// BENCH_QUICK=1 runs shorter rounds (for trying the bench, not for quoting).
// BENCH_SECTIONS=metrics (comma-separated: verify, http, frameworks, sdk, bundle, sqlite_sync, metrics) runs
// only those, replacing them in the existing results.json (each section's figures are ratios within its own
// run; `runs_by_section` says when and on what load each was measured).
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, release } from 'node:os'
import { fileURLToPath } from 'node:url'
import { renderChart } from './chart.js'
import { RESULT_PREFIX } from './lib.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BENCH = fileURLToPath(new URL('.', import.meta.url))
const hasTaskset = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0
const multiCore = cpus().length > 1
/** The load generator (and the single-process sections) run on core 1; servers on core 0. */
const pin = (args) => (hasTaskset && multiCore ? ['taskset', ['-c', '1', process.execPath, ...args]] : null)

function runSection(script, { pinned = false, timeoutMs = 120_000 } = {}) {
  const args = [`${BENCH}${script}`]
  const [command, argv] = (pinned && pin(args)) || [process.execPath, args]
  return new Promise((resolve) => {
    const child = spawn(command, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX))
      if (code === 0 && line) resolve({ ok: true, value: JSON.parse(line.slice(RESULT_PREFIX.length)) })
      else
        resolve({
          ok: false,
          error: `${script} ${signal ? `killed by ${signal}` : `exited ${code}`}${line ? '' : ' without a result'}`,
          output: out.slice(-2000),
        })
    })
  })
}

/** The SDK sections need `@leash/sdk` built; it is written concurrently, so a failing build is reported. */
function buildSdk() {
  const tsc = spawnSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-b', 'packages/sdk'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
  if (tsc.status === 0) return null
  return `@leash/sdk does not build (tsc -b packages/sdk exited ${tsc.status}): ${(tsc.stdout + tsc.stderr).trim().split('\n').slice(0, 5).join(' | ')}`
}

const log = (message) => process.stderr.write(`${message}\n`)
const SECTIONS = process.env.BENCH_SECTIONS?.split(',').map((x) => x.trim())
const wanted = (section) => !SECTIONS || SECTIONS.includes(section)
const skipped = { ok: false, skipped: true }
const fmt = (value, digits = 1) =>
  value === null || value === undefined ? 'n/a' : Number(value).toFixed(digits).replace(/\.0+$/, '')

async function main() {
  const started = Date.now()
  const machine = {
    cpu_model: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    os: `${process.platform} ${release()}`,
    date: new Date().toISOString(),
    load_average_at_start: loadavg().map((l) => Math.round(l * 100) / 100),
    taskset: hasTaskset,
    quick: process.env.BENCH_QUICK === '1',
  }
  const errors = {}
  const notes = {}

  let verify = skipped
  if (wanted('verify')) {
    log('bench: verify path (one process, alternating rounds)…')
    verify = await runSection('verify.js', { pinned: true })
    if (!verify.ok) errors.verify = verify.error
  }

  let http = skipped
  if (wanted('http')) {
    log('bench: HTTP (autocannon, loopback, child servers)…')
    http = await runSection('http.js', { pinned: true, timeoutMs: 180_000 })
    if (!http.ok) errors.http = http.error
  }

  let frameworks = skipped
  if (wanted('frameworks')) {
    log('bench: frameworks (Express + Leash vs express-jwt, Fastify + Leash vs @fastify/jwt)…')
    frameworks = await runSection('frameworks.js', { pinned: true, timeoutMs: 480_000 })
    if (!frameworks.ok) errors.frameworks = frameworks.error
  }

  let refresh = null
  let overhead = null
  if (wanted('sdk')) log('bench: SDK (build, refresh coalescing, interceptor overhead)…')
  const sdkProblem = wanted('sdk') ? buildSdk() : null
  if (sdkProblem) {
    notes.sdk = sdkProblem
    log(`bench: ${sdkProblem}`)
  } else if (wanted('sdk')) {
    const r = await runSection('refresh.js')
    if (r.ok) refresh = r.value
    else errors.refresh = r.error
    const o = await runSection('overhead.js', { pinned: true })
    if (o.ok) overhead = o.value
    else errors.sdk_overhead = o.error
  }

  let bundle = skipped
  if (wanted('bundle')) {
    log('bench: bundle (esbuild, min+gzip)…')
    bundle = await runSection('bundle.js')
    if (!bundle.ok) errors.bundle = bundle.error
  }

  let sqliteSync = skipped
  if (wanted('sqlite_sync')) {
    log('bench: SQLite commits (synchronous FULL vs NORMAL, refreshes through the app)…')
    sqliteSync = await runSection('sqlite-sync.js', { pinned: true })
    if (!sqliteSync.ok) errors.sqlite_sync = sqliteSync.error
  }

  let metrics = skipped
  if (wanted('metrics')) {
    log('bench: metrics + audit on vs off (GET /auth/me: paired server processes, then in one process)…')
    metrics = await runSection('metrics.js', { pinned: true, timeoutMs: 600_000 })
    if (!metrics.ok) errors.metrics = metrics.error
  }

  const fresh = {
    verify: verify.ok ? verify.value : null,
    http: http.ok ? http.value : null,
    frameworks: frameworks.ok ? frameworks.value.frameworks : null,
    frameworks_run: frameworks.ok ? { ...frameworks.value, frameworks: undefined } : null,
    refresh: refresh?.runs ?? null,
    sdk_overhead: overhead,
    bundle: bundle.ok ? bundle.value : null,
    sqlite_sync: sqliteSync.ok ? sqliteSync.value : null,
    metrics: metrics.ok ? metrics.value : null,
  }
  const sectionKeys = {
    verify: ['verify'],
    http: ['http'],
    frameworks: ['frameworks', 'frameworks_run'],
    sdk: ['refresh', 'sdk_overhead'],
    bundle: ['bundle'],
    sqlite_sync: ['sqlite_sync'],
    metrics: ['metrics'],
  }
  const previous =
    SECTIONS && existsSync(`${BENCH}results.json`)
      ? JSON.parse(readFileSync(`${BENCH}results.json`, 'utf8'))
      : null
  const kept = {}
  if (previous)
    for (const [section, keys] of Object.entries(sectionKeys))
      for (const key of keys) kept[key] = wanted(section) ? fresh[key] : (previous[key] ?? null)
  const runsBySection = { ...previous?.runs_by_section }
  for (const section of Object.keys(sectionKeys))
    if (wanted(section))
      runsBySection[section] = { date: machine.date, load_average_at_start: machine.load_average_at_start }
    else
      runsBySection[section] ??= {
        date: previous?.machine?.date,
        load_average_at_start: previous?.machine?.load_average_at_start,
      }
  const results = {
    ...(previous ? kept : fresh),
    machine: previous
      ? { ...previous.machine, cpu_model: machine.cpu_model, cores: machine.cores, node: machine.node }
      : machine,
    runs_by_section: runsBySection,
    aims: {
      verify_leash_vs_floor_max: 1.5,
      http_leash_vs_stateless_min: 1.0,
      frameworks_leash_vs_stateless_cpu_max: 1.0,
      metrics_cost_max: 0.03,
    },
    notes: { ...(previous ? previous.notes : {}), ...notes },
    errors: {
      ...(previous
        ? Object.fromEntries(Object.entries(previous.errors ?? {}).filter(([k]) => !wanted(k)))
        : {}),
      ...errors,
    },
    elapsed_s: Math.round((Date.now() - started) / 1000),
  }
  if (refresh?.note) results.notes.refresh = refresh.note
  results.aims.verify_met = results.verify ? results.verify.ratio_to_floor.leash <= 1.5 : null
  results.aims.http_met = results.http ? results.http.ratio_vs_stateless >= 1.0 : null
  results.aims.frameworks_met = results.frameworks
    ? results.frameworks.every((f) => f.cpu_ratio <= 1.0)
    : null
  // Metrics + audit may add at most 3% to GET /auth/me's server CPU per request (median of per-round ratios).
  results.aims.metrics_met = results.metrics ? results.metrics.http.cpu_ratio <= 1.03 : null

  writeFileSync(`${BENCH}results.json`, `${JSON.stringify(results, null, 2)}\n`)
  writeFileSync(`${BENCH}results.svg`, renderChart(results))
  process.stdout.write(table(results))
  log(`bench: wrote bench/results.json and bench/results.svg in ${results.elapsed_s} s`)
  const failed = Object.keys(errors)
  if (failed.length > 0) {
    for (const [k, v] of Object.entries(errors)) log(`bench: ${k} failed: ${v}`)
    process.exitCode = 1
  }
}

function table(r) {
  const lines = [
    `## Leash bench: ${r.machine.cpu_model}, ${r.machine.cores} cores, Node ${r.machine.node}, ${r.machine.date}`,
    '',
    `Load average at start: ${r.machine.load_average_at_start.join(' / ')}. Only ratios within this run count.`,
    '',
  ]
  const v = r.verify
  lines.push(
    '### Verify path (CPU µs/op: median of rounds; × floor: median of per-round ratios to raw HMAC + JSON.parse + exp)',
    '',
  )
  lines.push('| verifier | µs/op | × floor |', '|---|---:|---:|')
  if (v) {
    const row = (name, us, ratio) => lines.push(`| ${name} | ${fmt(us, 2)} | ${fmt(ratio, 2)} |`)
    const x = v.ratio_to_floor
    row('raw HMAC + JSON.parse + exp (floor)', v.floor_us, 1)
    row('**Leash whole check (warm cache)**', v.leash_us, x.leash)
    row('jsonwebtoken (KeyObject)', v.jsonwebtoken_us, x.jsonwebtoken)
    row('jsonwebtoken (raw secret)', v.jsonwebtoken_raw_secret_us, x.jsonwebtoken_raw_secret)
    row('fast-jwt (cache off)', v.fast_jwt_us, x.fast_jwt)
    row('jose jwtVerify (imported key)', v.jose_us, x.jose)
    lines.push(
      '',
      `Aim Leash ≤ 1.5× floor: ${v.ratio_to_floor.leash}× → ${r.aims.verify_met ? 'met' : 'MISSED'}`,
    )
  } else lines.push(`| (failed: ${r.errors.verify}) | | |`)

  const h = r.http
  lines.push('', '### HTTP: GET /auth/me, loopback, autocannon (median of rounds)', '')
  lines.push(
    '| server | req/s | p99 ms | × stateless req/s | server CPU µs/req |',
    '|---|---:|---:|---:|---:|',
  )
  if (h) {
    const row = (name, rps, p99, ratio, cpu) =>
      lines.push(`| ${name} | ${fmt(rps, 0)} | ${fmt(p99, 0)} | ${fmt(ratio, 2)} | ${fmt(cpu, 0)} |`)
    const { ratio_vs_stateless: leash, lookup_ratio_vs_stateless: lookup } = h
    row('**Leash (SQLite, warm cache)**', h.leash_rps, h.leash_p99_ms, leash, h.leash_cpu_us_per_req)
    row('stateless jsonwebtoken', h.stateless_rps, h.stateless_p99_ms, 1, h.stateless_cpu_us_per_req)
    row(
      'lookup per request (SQLite session row)',
      h.lookup_rps,
      h.lookup_p99_ms,
      lookup,
      h.lookup_cpu_us_per_req,
    )
    lines.push(
      '',
      `Aim Leash ≥ 1.0× stateless: ${h.ratio_vs_stateless}× → ${r.aims.http_met ? 'met' : 'MISSED'}` +
        ` (server CPU per request: ${h.cpu_ratio_vs_stateless}× the stateless server's;` +
        ` ${h.connections} connections, ${h.duration_s} s × ${h.rounds} rounds, pinned: ${h.pinned};` +
        ' ratios are medians of per-round ratios)',
    )
  } else lines.push(`| (failed: ${r.errors.http}) | | | | |`)

  const f = r.frameworks
  lines.push(
    '',
    '### The middleware in its framework: GET /api/profile, server CPU per request (median of rounds)',
    '',
  )
  lines.push(
    '| framework | Leash µs/req | stateless peer | peer µs/req | × peer CPU | Leash req/s | peer req/s |',
    '|---|---:|---|---:|---:|---:|---:|',
  )
  if (f) {
    for (const x of f)
      lines.push(
        `| ${x.name} | ${fmt(x.leash_cpu_us, 1)} | ${x.peer} | ${fmt(x.stateless_cpu_us, 1)} | ${fmt(x.cpu_ratio, 2)} | ${fmt(x.leash_rps, 0)} | ${fmt(x.stateless_rps, 0)} |`,
      )
    const run = r.frameworks_run
    lines.push(
      '',
      `Aim Leash ≤ 1.0× the stateless peer's server CPU: ${f.map((x) => `${x.name} ${x.cpu_ratio}×`).join(', ')} → ` +
        `${r.aims.frameworks_met ? 'met' : 'MISSED'} (${run.connections} connections, ${run.duration_s} s × ` +
        `${run.rounds} rounds, pinned: ${run.pinned}; ratios are medians of per-round ratios)`,
    )
  } else lines.push(`| (failed: ${r.errors.frameworks}) | | | | | | |`)

  lines.push('', '### Refresh coalescing through the SDK (expired token, N concurrent requests)', '')
  lines.push(
    '| N | /auth/refresh calls (401 path) | added ms | fresh wave ms | refresh calls (client-first) | added ms |',
    '|---:|---:|---:|---:|---:|---:|',
  )
  if (r.refresh)
    for (const x of r.refresh)
      lines.push(
        `| ${x.n} | ${x.refresh_calls} | ${fmt(x.added_ms, 1)} | ${fmt(x.fresh_wave_ms, 1)} | ${x.client_first_refresh_calls} | ${fmt(x.client_first_added_ms, 1)} |`,
      )
  else lines.push(`| n/a | ${r.notes.sdk ?? r.errors.refresh ?? 'not measured'} | | | | |`)

  const o = r.sdk_overhead
  lines.push(
    '',
    '### SDK interceptor overhead (in-process axios adapter; CPU µs, overhead = median per-round difference)',
    '',
  )
  lines.push('| client | µs/request |', '|---|---:|')
  if (o) {
    lines.push(
      `| bare axios | ${fmt(o.bare_us, 2)} |`,
      `| axios + Leash interceptors | ${fmt(o.leash_us, 2)} |`,
    )
    lines.push(`| **overhead** | ${fmt(o.overhead_us, 2)} |`)
  } else lines.push(`| n/a | ${r.notes.sdk ?? r.errors.sdk_overhead ?? 'not measured'} |`)

  const b = r.bundle
  lines.push('', '### Bundle (min+gzip, KB; axios/react external)', '')
  lines.push('| package | KB |', '|---|---:|')
  if (b && b.core_gzip != null) {
    lines.push(`| **@leash/sdk** | ${b.core_gzip} |`, `| **@leash/sdk/react** | ${b.react_gzip} |`)
    for (const [name, kb] of Object.entries(b.peers_gzip)) lines.push(`| ${name} (published) | ${kb} |`)
  } else lines.push(`| n/a | ${b?.note ?? r.errors.bundle} |`)

  const s = r.sqlite_sync
  lines.push('', '### SQLite: sequential refreshes on a file, synchronous FULL vs NORMAL (paired rounds)', '')
  lines.push('| synchronous | refreshes/s | wall µs | CPU µs |', '|---|---:|---:|---:|')
  if (s) {
    for (const mode of ['full', 'normal'])
      lines.push(
        `| ${mode} | ${fmt(s[mode].per_s, 0)} | ${fmt(s[mode].wall_us, 0)} | ${fmt(s[mode].cpu_us, 0)} |`,
      )
    const x = s.full_vs_normal
    lines.push(`| FULL ÷ NORMAL (median of per-round ratios) | ${x.per_s}× | ${x.wall_us}× | ${x.cpu_us}× |`)
  } else lines.push(`| (failed: ${r.errors.sqlite_sync ?? 'not run'}) | | | |`)

  const m = r.metrics
  lines.push('', '### Metrics + audit on vs off: GET /auth/me (paired server processes; in one process)', '')
  lines.push(
    '| measure | off | on (LEASH_METRICS_PORT) | on ÷ off (median of per-round ratios) |',
    '|---|---:|---:|---:|',
  )
  if (m) {
    const h = m.http
    lines.push(
      `| server CPU µs/req (HTTP, ${h.rounds} rounds of ${h.slices} interleaved slices of ${h.slice_requests} requests) | ${fmt(h.off_cpu_us, 1)} | ${fmt(h.on_cpu_us, 1)} | **${fmt(h.cpu_ratio, 2)}** (rounds ${h.cpu_ratio_range.join('–')}) |`,
      `| req/s (HTTP) | ${fmt(h.off_rps, 0)} | ${fmt(h.on_rps, 0)} | ${fmt(h.rps_ratio, 2)} |`,
      `| CPU µs/request, app.request in one process (${m.inprocess.rounds} rounds) | ${fmt(m.inprocess.off_us, 2)} | ${fmt(m.inprocess.on_us, 2)} | ${fmt(m.inprocess.cpu_ratio, 3)} (${fmt(m.inprocess.added_us, 2)} µs added; A/A control ${fmt(m.inprocess.aa_ratio, 3)}) |`,
      '',
      `Aim metrics + audit ≤ 3% of GET /auth/me's server CPU: ${h.cpu_ratio}× → ${r.aims.metrics_met ? 'met' : 'MISSED'}`,
    )
  } else lines.push(`| (failed: ${r.errors.metrics ?? 'not run'}) | | | |`)
  return `${lines.join('\n')}\n`
}

await main()
