// The cost of durable SQLite commits: refreshes through the app on a SQLite file with synchronous=FULL
// (the default) and NORMAL, in paired rounds (each round runs both back to back, order alternating), so
// the machine's noise cancels in the per-round ratio. Each refresh is one IMMEDIATE transaction (a commit).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createApp, createPbkdf2Hasher, seedUsers } from '@leash/reference-server'
import { createSqliteStore, nodeCodec } from '@leash/reference-server/node'
import { emit, median, round } from './lib.js'

const QUICK = process.env.BENCH_QUICK === '1'
const ROUNDS = QUICK ? 2 : 7
const REFRESHES = QUICK ? 100 : 400
// On the disk the server's database lives on (not a tmpfs /tmp, where an fsync costs nothing).
const tmp = fileURLToPath(new URL('.tmp/', import.meta.url))
mkdirSync(tmp, { recursive: true })
const root = mkdtempSync(join(tmp, 'sqlite-sync-'))

async function run(mode, n) {
  const store = createSqliteStore(join(root, `${mode}-${n}.db`), { synchronous: mode })
  const hasher = createPbkdf2Hasher(1_000)
  const app = createApp({
    store,
    hasher,
    codec: nodeCodec,
    globalSecret: 'bench-global-secret-at-least-32-bytes-long',
    config: { secureCookies: false, reuseInterval: 0 },
    clientIp: () => '127.0.0.1',
  })
  await seedUsers(store, hasher, [{ username: 'bench', password: 'bench-password' }], Date.now())
  const post = (path, body) =>
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  let token = (
    await (
      await post('/auth/login', { username: 'bench', password: 'bench-password', refresh_transport: 'body' })
    ).json()
  ).refresh_token
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  for (let i = 0; i < REFRESHES; i++) {
    const res = await post('/auth/refresh', { refresh_token: token })
    if (res.status !== 200) throw new Error(`refresh ${res.status}`)
    token = (await res.json()).refresh_token
  }
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  app.close()
  await store.close()
  return {
    per_s: (REFRESHES / ms) * 1000,
    cpu_us: (cpu.user + cpu.system) / REFRESHES,
    wall_us: (ms * 1000) / REFRESHES,
  }
}

const runs = { full: [], normal: [] }
try {
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? ['normal', 'full'] : ['full', 'normal']
    for (const mode of order) runs[mode].push(await run(mode, r))
  }
} finally {
  rmSync(root, { recursive: true, force: true })
}
const fig = (mode, key) => round(median(runs[mode].map((x) => x[key])), 1)
const ratio = (key) => round(median(runs.full.map((x, i) => x[key] / runs.normal[i][key])), 2)
emit({
  rounds: ROUNDS,
  refreshes_per_round: REFRESHES,
  full: { per_s: fig('full', 'per_s'), cpu_us: fig('full', 'cpu_us'), wall_us: fig('full', 'wall_us') },
  normal: {
    per_s: fig('normal', 'per_s'),
    cpu_us: fig('normal', 'cpu_us'),
    wall_us: fig('normal', 'wall_us'),
  },
  full_vs_normal: { per_s: ratio('per_s'), cpu_us: ratio('cpu_us'), wall_us: ratio('wall_us') },
})
