// The Leash reference server as `npm start` runs it (SQLite on a file, node:crypto codec, scrypt), on an
// ephemeral loopback port. Logs in one user and warms the cache with one /auth/me before reporting ready.
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ready } from './common.js'

// BENCH_LEASH_MAIN swaps in another build's module exporting startServer (its dist/node.js, or dist/main.js of
// builds before the split), for an A/B of a proposed fix; default: this repo's dist.
const { startServer } = await import(
  process.env.BENCH_LEASH_MAIN ??
    new URL('../../packages/reference-server/dist/node.js', import.meta.url).href
)

const dir = mkdtempSync(join(tmpdir(), 'leash-bench-'))
const server = await startServer(
  {
    LEASH_PORT: '0',
    LEASH_HOST: '127.0.0.1',
    LEASH_DATABASE: `sqlite:${join(dir, 'leash.db')}`,
    LEASH_GLOBAL_SECRET: 'bench-global-secret-at-least-32-bytes-long',
    LEASH_SEED_USERS: 'bench:bench-password-1',
    LEASH_ACCESS_TTL: '3600',
    LEASH_LOGIN_RATE: '1000',
  },
  true,
)
// node:http, not fetch: the server process then runs only server code, as a deployed one does (undici's
// client shares its Headers code with the server's request handling).
function call(method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method, headers }, (res) => {
      let text = ''
      res.on('data', (chunk) => {
        text += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode, text }))
    })
    req.once('error', reject)
    req.end(body)
  })
}
const login = await call(
  'POST',
  '/auth/login',
  { 'content-type': 'application/json' },
  JSON.stringify({ username: 'bench', password: 'bench-password-1', refresh_transport: 'body' }),
)
if (login.status !== 200) throw new Error(`login: ${login.status} ${login.text}`)
const token = JSON.parse(login.text).access_token
const me = await call('GET', '/auth/me', { authorization: `Bearer ${token}` })
if (me.status !== 200) throw new Error(`/auth/me: ${me.status} ${me.text}`)

ready({ url: server.url, path: '/auth/me', token }, async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})
