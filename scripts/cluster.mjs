#!/usr/bin/env node
// N Leash instances on 127.0.0.1 sharing one PostgreSQL and one Redis, for trying scale-out by hand.
//
//   eval "$(scripts/services.sh start)"      # throwaway PostgreSQL + Redis (or bring your own)
//   npm run cluster                          # 3 instances on :8787, :8788, :8789
//   npm run cluster -- 5 9000                # 5 instances from :9000
//
// Uses LEASH_DATABASE (postgres://…) and LEASH_REDIS_URL, falling back to the LEASH_TEST_* URLs that
// services.sh prints. Every other LEASH_* variable is passed through (LEASH_SEED_USERS, LEASH_LOG, …).
// Ctrl-C stops them all.
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const count = Number(process.argv[2] ?? 3)
const basePort = Number(process.argv[3] ?? 8787)
const database = process.env.LEASH_DATABASE || process.env.LEASH_TEST_DATABASE_URL
const redis = process.env.LEASH_REDIS_URL || process.env.LEASH_TEST_REDIS_URL

if (!Number.isInteger(count) || count < 1 || count > 26 || !Number.isInteger(basePort)) {
  console.error('usage: npm run cluster -- [instances 1-26] [first port]')
  process.exit(2)
}
if (!database?.startsWith('postgres') || !redis) {
  console.error(
    'cluster: needs LEASH_DATABASE=postgres://… and LEASH_REDIS_URL=redis://…\n' +
      '  for throwaway ones: eval "$(scripts/services.sh start)" && npm run cluster',
  )
  process.exit(2)
}

const built = spawnSync('npx', ['tsc', '-b', 'packages/reference-server'], { cwd: root, stdio: 'inherit' })
if (built.status !== 0) process.exit(built.status ?? 1)

const children = []
for (let i = 0; i < count; i++) {
  const name = String.fromCharCode(65 + i)
  const child = spawn(process.execPath, ['packages/reference-server/dist/node/bin.js'], {
    cwd: root,
    env: {
      ...process.env,
      LEASH_DATABASE: database,
      LEASH_REDIS_URL: redis,
      LEASH_PORT: String(basePort + i),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const prefix = (stream, out) => {
    let rest = ''
    stream.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n')
      rest = lines.pop()
      for (const line of lines) out.write(`[${name}] ${line}\n`)
    })
  }
  prefix(child.stdout, process.stdout)
  prefix(child.stderr, process.stderr)
  child.on('exit', (code, signal) => {
    console.error(`[${name}] exited (${signal ?? code})`)
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(0)
  })
  children.push(child)
}

const stop = () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM')
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
