// The Leash reference server as `npm start` runs it (SQLite on a file, node:crypto codec, scrypt), on an
// ephemeral loopback port. Logs in one user and warms the cache with one /auth/me before reporting ready.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { leashEnv, ready, signIn } from './common.js'

// BENCH_LEASH_MAIN swaps in another build's module exporting startServer (its dist/node/index.js, or dist/main.js of
// builds before the split), for an A/B of a proposed fix; default: this repo's dist.
const { startServer } = await import(
  process.env.BENCH_LEASH_MAIN ??
    new URL('../../packages/reference-server/dist/node/index.js', import.meta.url).href
)

const dir = mkdtempSync(join(tmpdir(), 'leash-bench-'))
const server = await startServer(leashEnv(dir), true)
const token = await signIn(server.url, '/auth/login', '/auth/me')

ready({ url: server.url, path: '/auth/me', token }, async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})
