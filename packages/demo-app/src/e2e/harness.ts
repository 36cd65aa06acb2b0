import { existsSync, mkdirSync } from 'node:fs'
import { createServer as createNetServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { type RunningServer, startServer } from '@leash/reference-server/node'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { createServer as createViteServer, type ViteDevServer } from 'vite'
import { type DevInbox, startDevInbox } from '../../../../scripts/dev-inbox.mjs'
import { skipUnless } from '../../../../test/skip.ts'

export const CHROMIUM = process.env.LEASH_CHROMIUM ?? '/usr/bin/chromium'
/** False when Chromium is there; otherwise why the e2e suites skip (in CI, its absence fails the run). */
export const noChromium = skipUnless(
  existsSync(CHROMIUM),
  'the demo e2e tests',
  `${CHROMIUM} (apt-get install -y chromium)`,
)
export const SCREENSHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url))

/** Server timeouts (s) and client margins (ms); without margins, the demo's own defaults (leash.ts). */
export interface Timing {
  accessTtl: number
  idleTimeout: number
  warnBeforeMs?: number
  refreshMarginMs?: number
  /** How recent a sign-in the sensitive actions take (s); the server's default (600) when not given. */
  reauthMaxAge?: number
}

/** Server timeouts (s) and client margins (ms) short enough to watch every behaviour within seconds. */
export const TIMING = { accessTtl: 4, idleTimeout: 14, warnBeforeMs: 7_000, refreshMarginMs: 2_000 }

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createNetServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })

export interface Demo {
  url: string
  /** The development inbox `npm start` runs, which the server mails its links to. */
  inbox: DevInbox
  browser: Browser
  context(): Promise<BrowserContext>
  stop(): Promise<void>
}

/** Every seeded user's email: `<username>@example.com`. */
export const email = (username: string) => `${username}@example.com`

/**
 * The real server (SQLite in memory, seeded users with emails), the demo on Vite, proxied to one origin,
 * the development inbox the server mails to (its links open the Vite origin), and Chromium.
 */
export async function startDemo(timing: Timing = TIMING): Promise<Demo> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  process.env.LEASH_DEMO_PORT = String(await freePort())
  const url = `http://127.0.0.1:${process.env.LEASH_DEMO_PORT}`
  const inbox = await startDevInbox({ smtpPort: 0, httpPort: 0 })
  const users = ['alice', 'bob', 'carol', 'dave', 'erin'].map((u) => `${u}:${u}-password:user:${email(u)}`)
  const server: RunningServer = await startServer(
    {
      LEASH_PORT: '0',
      LEASH_DATABASE: 'sqlite::memory:',
      LEASH_GLOBAL_SECRET: 'e2e-global-secret-of-at-least-32-bytes!!',
      LEASH_ACCESS_TTL: String(timing.accessTtl),
      LEASH_IDLE_TIMEOUT: String(timing.idleTimeout),
      LEASH_ABSOLUTE_TIMEOUT: '3600',
      LEASH_SEED_USERS: [...users, 'admin:admin-password:admin'].join(','),
      LEASH_SMTP_URL: inbox.smtpUrl,
      LEASH_PUBLIC_ORIGIN: url,
      ...(timing.reauthMaxAge !== undefined && { LEASH_REAUTH_MAX_AGE: String(timing.reauthMaxAge) }),
    },
    true,
  )
  process.env.LEASH_SERVER_URL = server.url
  const margins = { WARN_BEFORE_MS: timing.warnBeforeMs, REFRESH_MARGIN_MS: timing.refreshMarginMs }
  for (const [name, ms] of Object.entries(margins)) {
    if (ms === undefined) delete process.env[`VITE_LEASH_${name}`]
    else process.env[`VITE_LEASH_${name}`] = String(ms)
  }
  const vite: ViteDevServer = await createViteServer({
    configFile: fileURLToPath(new URL('../../vite.config.ts', import.meta.url)),
    root: fileURLToPath(new URL('../..', import.meta.url)),
    logLevel: 'error',
    clearScreen: false,
  })
  await vite.listen()
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  // Warm Vite's on-demand transform once, so the first test does not pay for it.
  const warm = await browser.newPage()
  await warm.goto(url)
  await warm.getByLabel('Username').waitFor({ timeout: 60_000 })
  await warm.close()
  return {
    url,
    inbox,
    browser,
    context: () => browser.newContext({ viewport: { width: 1100, height: 760 } }),
    async stop() {
      await browser.close()
      await vite.close()
      await server.close()
      await inbox.close()
    },
  }
}

export async function signIn(page: Page, url: string, username: string) {
  await page.goto(url)
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(`${username}-password`)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Notes' }).waitFor()
}

/**
 * Disables or enables a user through the admin API over HTTP, as an admin elsewhere would. It takes about a
 * second; an admin page signing in can take longer, on a busy machine, than a user may sit idle before the
 * warning opens.
 */
export async function setEnabled(url: string, username: string, enabled: boolean) {
  const call = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...init.headers },
    })
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`)
    return (await res.json()) as T
  }
  const { access_token } = await call<{ access_token: string }>('/auth/login', {
    method: 'POST',
    body: JSON.stringify({ username: 'admin', password: 'admin-password', refresh_transport: 'body' }),
  })
  const headers = { authorization: `Bearer ${access_token}` }
  const { users } = await call<{ users: Array<{ id: string; username: string }> }>('/admin/users', {
    headers,
  })
  const id = users.find((u) => u.username === username)!.id
  await call(`/admin/users/${id}/${enabled ? 'enable' : 'disable'}`, { method: 'POST', headers })
}

/** Waits until the access token the page holds has expired (by its `exp`). */
export async function tokenExpired(page: Page) {
  for (;;) {
    const claims = jwtClaims(await leashStorage(page))!
    if (claims.exp * 1000 < Date.now() - 200) return
    await page.waitForTimeout(200)
  }
}

/** Everything Leash keeps in localStorage, as one string. */
export const leashStorage = (page: Page) =>
  page.evaluate(() =>
    Object.keys(localStorage)
      .filter((k) => k.startsWith('leash:'))
      .map((k) => localStorage.getItem(k))
      .join(' '),
  )

/** The payload of the first JWT in the text. */
export function jwtClaims(text: string): { iat: number; exp: number; sid: string; auth_time: number } | null {
  const token = text.match(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/)?.[0]
  return token ? JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) : null
}
