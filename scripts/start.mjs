#!/usr/bin/env node
// `npm start`: the reference server (SQLite, seeded demo users, short timeouts), the demo's Vite dev
// server, which proxies /auth, /api and /admin so the app and the server share one origin, and a
// development inbox (scripts/dev-inbox.mjs) the server mails its links to. Ctrl-C stops them all.
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startDevInbox } from './dev-inbox.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = (name) => `${root}node_modules/.bin/${name}`

const demo = {
  LEASH_PORT: '8787',
  LEASH_DATABASE: 'sqlite:./data/demo.db',
  LEASH_ACCESS_TTL: '60',
  LEASH_IDLE_TIMEOUT: '180',
  LEASH_ABSOLUTE_TIMEOUT: '3600',
  LEASH_SEED_USERS:
    'alice:alice-password:user:alice@example.com,bob:bob-password:user:bob@example.com,admin:admin-password:admin',
  // Links in mail open the app's pages, at the origin the browser uses (Vite's).
  LEASH_PUBLIC_ORIGIN: `http://127.0.0.1:${process.env.LEASH_DEMO_PORT ?? 5173}`,
  LEASH_MAIL_FROM: 'Leash demo <no-reply@leash.localhost>',
}
// Mail goes to the development inbox, unless LEASH_SMTP_URL names a server of your own.
const inbox = process.env.LEASH_SMTP_URL
  ? null
  : await startDevInbox({
      smtpPort: Number(process.env.DEV_INBOX_SMTP_PORT ?? 2525),
      httpPort: Number(process.env.DEV_INBOX_PORT ?? 8025),
    }).catch((error) => {
      console.error(
        `leash: the dev inbox could not start (${error.message}); set DEV_INBOX_SMTP_PORT / DEV_INBOX_PORT`,
      )
      process.exit(1)
    })
if (inbox) demo.LEASH_SMTP_URL = inbox.smtpUrl
// Anything set in the environment wins over the demo's defaults.
const env = { ...demo, ...Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined)) }
const serverUrl = `http://127.0.0.1:${env.LEASH_PORT}`

const built = spawnSync(bin('tsc'), ['-b', 'packages/reference-server'], { cwd: root, stdio: 'inherit' })
if (built.status !== 0) process.exit(built.status ?? 1)

const children = []
let stopping = false
function stop(code = 0) {
  if (stopping) return
  stopping = true
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM')
  inbox?.close()
  setTimeout(() => process.exit(code), 3000).unref()
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null))).then(
    () => process.exit(code),
  )
}
function run(name, command, args, options) {
  const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'], ...options })
  child.once('exit', (code) => {
    if (!stopping) {
      console.error(`leash: ${name} exited (${code}); stopping`)
      stop(code || 1)
    }
  })
  children.push(child)
  return child
}

run('server', process.execPath, ['packages/reference-server/dist/node/bin.js'])
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${serverUrl}/healthz`)).ok) break
  } catch {}
  if (i > 100 || stopping) {
    console.error(`leash: the server did not answer on ${serverUrl}`)
    stop(1)
    break
  }
  await new Promise((r) => setTimeout(r, 100))
}
run('vite', bin('vite'), ['--config', 'vite.config.ts'], {
  cwd: `${root}packages/demo-app`,
  env: { ...env, LEASH_SERVER_URL: serverUrl },
})

console.log(`
  Leash demo
  ─────────────────────────────────────────────────────────────
  app          http://127.0.0.1:${env.LEASH_DEMO_PORT ?? 5173}   (Vite, proxying /auth /api /admin)
  server       ${serverUrl}   (${env.LEASH_DATABASE})
  ${inbox ? `inbox        ${inbox.pageUrl}   (dev inbox: reset and verification mail; SMTP ${inbox.smtpUrl})` : `mail         ${env.LEASH_SMTP_URL.replace(/\/\/[^@/]*@/, '//***@')}`}
  access token ${env.LEASH_ACCESS_TTL} s   idle timeout ${env.LEASH_IDLE_TIMEOUT} s   absolute ${env.LEASH_ABSOLUTE_TIMEOUT} s
  warning      30 s before the session ends; active users refresh 10 s before expiry
  step-up      password change, signing out another device, admin actions: a sign-in within ${env.LEASH_REAUTH_MAX_AGE ?? 600} s
  users        alice / alice-password, bob / bob-password, admin / admin-password (admin)
               alice@example.com and bob@example.com (reset links arrive in the inbox above)
  Ctrl-C stops them all.
`)
process.once('SIGINT', () => stop(0))
process.once('SIGTERM', () => stop(0))
