// `node bench/forgot-timing.js` (after `tsc -b packages/reference-server`): does POST /auth/password/forgot
// take as long for an address with an account as for one without? The real server (bin.js, SQLite,
// scrypt) runs in a child process and mails to an SMTP server of this process (the dev inbox), so the
// existing address really gets a token and a mail. Requests alternate between the two addresses (one
// connection, one at a time), 200 timed of each after a warm-up; the figure is the two medians and their
// difference. Both addresses are limited alike, so the limits are raised out of the way here.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startDevInbox } from '../scripts/dev-inbox.mjs'
import { emit, median, round } from './lib.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const N = Number(process.env.FORGOT_N ?? 200)
const WARMUP = 50
const PORT = 18_000 + Math.floor(Math.random() * 1000)
const EXISTING = 'alice@example.com'
const UNKNOWN = 'nobody@example.com'

const inbox = await startDevInbox({ smtpPort: 0, httpPort: 0 })
const server = spawn(process.execPath, ['packages/reference-server/dist/node/bin.js'], {
  cwd: ROOT,
  env: {
    PATH: process.env.PATH ?? '',
    LEASH_PORT: String(PORT),
    LEASH_DATABASE: 'sqlite::memory:',
    LEASH_GLOBAL_SECRET: 'bench-global-secret-0123456789abcdef0123',
    LEASH_SEED_USERS: `alice:alice-password:user:${EXISTING}`,
    LEASH_SMTP_URL: inbox.smtpUrl,
    LEASH_PUBLIC_ORIGIN: 'https://app.example',
    LEASH_RECOVERY_RATE: '1000000',
    LEASH_IP_RATE: '1000000',
    LEASH_LOG: 'none',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
})
const base = `http://127.0.0.1:${PORT}`
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/healthz`)).ok) break
  } catch {}
  if (i > 200) throw new Error('the server did not start')
  await new Promise((r) => setTimeout(r, 50))
}

const ask = async (email) => {
  const started = performance.now()
  const res = await fetch(`${base}/auth/password/forgot`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  })
  const body = await res.text()
  const ms = performance.now() - started
  if (res.status !== 200) throw new Error(`forgot answered ${res.status} ${body}`)
  return { ms, body }
}

const times = { existing: [], unknown: [] }
const bodies = new Set()
for (let i = 0; i < WARMUP + N; i++) {
  // Alternating which goes first, so neither always follows the other's mail.
  const order = i % 2 ? [EXISTING, UNKNOWN] : [UNKNOWN, EXISTING]
  for (const email of order) {
    const { ms, body } = await ask(email)
    bodies.add(body)
    if (i >= WARMUP) times[email === EXISTING ? 'existing' : 'unknown'].push(ms)
  }
}
// Let the queued requests finish: every request for the existing address made a token and a mail.
for (let i = 0; i < 100 && inbox.received() < WARMUP + N; i++) await new Promise((r) => setTimeout(r, 100))

const p95 = (values) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.95) - 1]
const result = {
  requests_each: N,
  median_ms: { existing: round(median(times.existing), 3), unknown: round(median(times.unknown), 3) },
  p95_ms: { existing: round(p95(times.existing), 3), unknown: round(p95(times.unknown), 3) },
  median_difference_ms: round(Math.abs(median(times.existing) - median(times.unknown)), 3),
  distinct_bodies: bodies.size,
  mails_sent: inbox.received(),
}
server.kill()
await inbox.close()
console.log(
  `forgot-password timing, ${N} requests each: median ${result.median_ms.existing} ms (account) vs ${result.median_ms.unknown} ms (no account), difference ${result.median_difference_ms} ms; p95 ${result.p95_ms.existing} vs ${result.p95_ms.unknown} ms; ${result.distinct_bodies} distinct body; ${result.mails_sent} mails sent`,
)
emit({ forgot_timing: result })
