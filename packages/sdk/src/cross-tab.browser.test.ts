// Real-browser tests (Chromium via playwright-core) for what jsdom cannot show: Web Locks and
// BroadcastChannel between two tabs of one origin, and a tab's deadlines after its timers were starved.
// The page and the reference server share one 127.0.0.1 origin, so the HttpOnly refresh cookie works.
import { existsSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import {
  createApp,
  createMemoryStore,
  createPbkdf2Hasher,
  type LeashApp,
  type ServerConfig,
  seedUsers,
} from '@leash/reference-server'
import { build } from 'esbuild'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { skipUnless } from '../../../test/skip.js'
import { workspaceSourcesPlugin } from '../../../test/workspace-sources.js'

const CHROMIUM = '/usr/bin/chromium'
const skip = skipUnless(
  existsSync(CHROMIUM),
  'the real-browser tests',
  `${CHROMIUM} (apt-get install -y chromium)`,
)

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

let browser: Browser
let context: BrowserContext
let server: Server
let origin: string
let harness: string
let app: LeashApp
const log: string[] = []

async function startApp(config: Partial<ServerConfig>) {
  app?.close()
  const store = createMemoryStore()
  const hasher = createPbkdf2Hasher(1_000)
  app = createApp({
    store,
    hasher,
    globalSecret: 'x'.repeat(32),
    config: { secureCookies: false, ...config },
  })
  await seedUsers(
    store,
    hasher,
    [{ username: 'alice', password: 'alice-password', role: 'user' }],
    Date.now(),
  )
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

async function tab(options = '{}'): Promise<Page> {
  const page = await context.newPage()
  await page.goto(`${origin}/`)
  await page.evaluate(`window.start(${options})`)
  return page
}

const status = (page: Page) => page.evaluate(() => window.leash!.store.getState().status)
const token = (page: Page) => page.evaluate(() => window.leash!.store.getState().accessToken)
const count = (path: string) => log.filter((p) => p === path).length

describe.skipIf(skip)('in Chromium', () => {
  beforeAll(async () => {
    const built = await build({
      entryPoints: [fileURLToPath(new URL('../test/browser-harness.ts', import.meta.url))],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      write: false,
      plugins: [workspaceSourcesPlugin()],
    })
    harness = built.outputFiles[0]!.text
    await startApp({})
    server = createServer(async (req, res) => {
      if (req.url === '/') {
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><script src="/harness.js"></script>')
        return
      }
      if (req.url === '/harness.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(harness)
        return
      }
      log.push(new URL(req.url ?? '/', 'http://x').pathname)
      const headers = new Headers()
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!)
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
      const response = await app.fetch(
        new Request(`${origin}${req.url}`, {
          method: req.method ?? 'GET',
          headers,
          body: hasBody ? new Uint8Array(await body(req)) : undefined,
        }),
      )
      const out: Record<string, string | string[]> = {}
      response.headers.forEach((value, name) => {
        if (name !== 'set-cookie') out[name] = value
      })
      const cookies = response.headers.getSetCookie()
      if (cookies.length) out['set-cookie'] = cookies
      res.writeHead(response.status, out).end(Buffer.from(await response.arrayBuffer()))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
  }, 60_000)

  afterEach(async () => {
    await context?.close()
    log.length = 0
  })

  afterAll(async () => {
    await browser?.close()
    await new Promise((resolve) => server?.close(resolve))
    app?.close()
  })

  test('two tabs with expired tokens: exactly one /auth/refresh, and the waiting tab uses the new token', async () => {
    // reuseInterval 0: a second use of the rotated refresh token would end the session outright
    await startApp({ accessTtl: 2, reuseInterval: 0 })
    context = await browser.newContext()
    // requests are not activity here, so both tabs send their expired token and both meet a 401
    const a = await tab("{ activity: 'input' }")
    const b = await tab("{ activity: 'input' }")
    expect(await a.evaluate(() => typeof navigator.locks?.request)).toBe('function')
    await a.evaluate(() => window.leash!.login({ username: 'alice', password: 'alice-password' }))
    await b.waitForFunction(() => window.leash!.store.getState().status === 'authenticated')
    await a.waitForTimeout(3_100) // both tokens expire on the server
    const get = (page: Page) =>
      page.evaluate(() => window.leash!.http.get('/api/notes').then((r) => r.status))
    expect(await Promise.all([get(a), get(b)])).toEqual([200, 200])
    expect(count('/auth/refresh')).toBe(1)
    expect(await token(b)).toBe(await token(a))
    expect([await status(a), await status(b)]).toEqual(['authenticated', 'authenticated'])
  })

  test('logout in one tab reaches the other, which keeps the 1-second token', async () => {
    await startApp({})
    context = await browser.newContext()
    const a = await tab()
    const b = await tab()
    await a.evaluate(() => window.leash!.login({ username: 'alice', password: 'alice-password' }))
    await b.waitForFunction(() => window.leash!.store.getState().status === 'authenticated')
    await a.evaluate(() => window.leash!.logout())
    await b.waitForFunction(() => window.leash!.store.getState().status === 'loggedOut')
    expect(await token(b)).toBe(await token(a))
    expect(await b.evaluate(() => window.events)).toContain('loggedOut')
  })

  test('a disable seen by one tab reaches the other and clears storage', async () => {
    await startApp({})
    context = await browser.newContext()
    const a = await tab()
    const b = await tab()
    await a.evaluate(() => window.leash!.login({ username: 'alice', password: 'alice-password' }))
    await b.waitForFunction(() => window.leash!.store.getState().status === 'authenticated')
    const alice = await app.admin.userByName('alice')
    await app.admin.disable(alice!.id)
    const code = await a.evaluate(() =>
      window.leash!.http.get('/api/notes').then(
        () => 'resolved',
        (e: { code?: string }) => e.code,
      ),
    )
    expect(code).toBe('user_disabled')
    await b.waitForFunction(() => window.leash!.store.getState().status === 'disabled')
    // cleared, but for the marker that keeps the reason across a reload (no token, no user)
    expect(await b.evaluate(() => Object.values(localStorage))).toEqual(['{"disabled":true}'])
  })

  test('a tab whose client talks to another API hears nothing of this one, and keeps its own keys', async () => {
    await startApp({})
    context = await browser.newContext()
    const a = await tab()
    const witness = await tab() // same API as a: shows the channel delivered
    const other = `http://localhost:${new URL(origin).port}` // the same server, but another origin
    const b = await tab(`{ baseURL: '${other}' }`)
    await a.evaluate(() => window.leash!.login({ username: 'alice', password: 'alice-password' }))
    await witness.waitForFunction(() => window.leash!.store.getState().status === 'authenticated')
    expect(await status(b)).toBe('anonymous')
    const keys = await b.evaluate(() => Object.keys(localStorage))
    expect(keys).toContain(`leash:${origin}:session`)
    expect(keys).not.toContain('leash:session')
    expect(keys).not.toContain(`leash:${other}:session`)
  })

  test("a hidden tab's deadline is honoured on visibilitychange, though no timer ran", async () => {
    await startApp({})
    context = await browser.newContext()
    const page = await tab()
    await page.evaluate(() => window.leash!.login({ username: 'alice', password: 'alice-password' }))
    // Headless Chromium under Playwright keeps every page visible, so visibility is set by hand; the clock
    // jump stands for the half hour a hidden, throttled (or sleeping) tab spent without running timers.
    const after = await page.evaluate(() => {
      const setVisibility = (state: 'hidden' | 'visible') => {
        Object.defineProperty(document, 'visibilityState', { value: state, configurable: true })
        document.dispatchEvent(new Event('visibilitychange'))
      }
      setVisibility('hidden')
      window.skew = 1_801_000
      const whileHidden = window.leash!.store.getState().status
      setVisibility('visible')
      return [whileHidden, window.leash!.store.getState().status, window.events.at(-1)]
    })
    expect(after[0]).toBe('authenticated') // the deadline passed, but no timer ran to notice
    expect(after[1]).toBe('expired') // becoming visible checks the wall clock at once
    expect(after[2]).toBe('expired')
  })
})
