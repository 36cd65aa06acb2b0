// The Leash reference server as servers/leash.js runs it, with Prometheus metrics on (LEASH_METRICS_PORT,
// an ephemeral loopback port of its own) beside the audit trail, which is always on. Reports its metrics
// URL too, so that the bench can check the requests it sent were counted.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { leashEnv, ready, signIn } from './common.js'

const { startServer } = await import(
  process.env.BENCH_LEASH_MAIN ??
    new URL('../../packages/reference-server/dist/node/index.js', import.meta.url).href
)

const dir = mkdtempSync(join(tmpdir(), 'leash-bench-'))
const server = await startServer({ ...leashEnv(dir), LEASH_METRICS_PORT: '0' }, true)
if (!server.metricsUrl) throw new Error('metrics are not on: LEASH_METRICS_PORT was not served')
const token = await signIn(server.url, '/auth/login', '/auth/me')

ready({ url: server.url, path: '/auth/me', token, metricsUrl: server.metricsUrl }, async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})
