import { http, type RequestHandler } from 'msw'
import { createApp, type LeashApp } from './app.js'
import { createPbkdf2Hasher } from './auth/passwords.js'
import type { AdminUser } from './auth/views.js'
import type { ServerConfig } from './config.js'
import { createMemoryMailer, type MemoryMailer } from './mail/mailer.js'
import { createCookieJar } from './msw-cookie-jar.js'
import { type SeedUser, seedUsers } from './seed.js'
import { createMemoryStore } from './store/memory.js'
import type { Role } from './store/types.js'
import { randomToken } from './tokens/random.js'

export type { MemoryMailer, SentMail } from './mail/mailer.js'
export type { SeedUser as MockUser } from './seed.js'

export interface MockBackendOptions {
  /** Where the server lives: '' (default) for the page's own origin, or e.g. 'http://api.test' or '/backend'. */
  baseUrl?: string
  /** Users created at every start and reset. */
  users?: SeedUser[]
  /** Server settings (seconds); `secureCookies` is off by default here. */
  config?: Partial<ServerConfig>
  /**
   * The page's origin, as the browser knows it: it decides what `credentials: 'same-origin'` sends, whether
   * a request is cross-site, and the `Origin` header a browser adds. Default: `location.origin` at each
   * request (jsdom, a browser); without a page (Node) there is none.
   */
  pageOrigin?: () => string | null
  /**
   * The User-Agent a browser adds to a request that names none (an intercepted request rarely carries
   * it): what `GET /auth/sessions` shows for a session signed in here. Default: `navigator.userAgent` at
   * each request, where there is one (jsdom, Node 21+); a request's own header is kept. In a real browser
   * page (`setupWorker`) the `Request` the app is handed drops it, as it drops `Cookie` and `Origin`.
   */
  userAgent?: () => string | null
  /**
   * The origin the links in account mail point at (the app's pages). Default: the page's origin at start
   * (`pageOrigin`), else `http://localhost`.
   */
  linkOrigin?: string
}

/** The mock's outgoing mail (verification and reset links), kept in memory. */
export interface MockMailbox extends MemoryMailer {
  /** Resolves once every forgot-password request made so far has been handled and its mail is here. */
  settled(): Promise<void>
}

/**
 * Admin actions on the mock, by username; each rejects for an unknown username. `disable` and `setRole`
 * reject with an `ApiError` of code `last_admin` (changing nothing) when they would leave no enabled
 * admin, as the server's routes answer 409.
 */
export interface MockAdmin {
  disable(username: string): Promise<void>
  enable(username: string): Promise<void>
  /** Rotates the user's `secret`: every token and session of theirs dies. */
  revoke(username: string): Promise<void>
  setRole(username: string, role: Role): Promise<void>
  /** Rotates the global epoch: everyone's tokens and sessions die. */
  revokeAll(): Promise<void>
  /** The user as an admin sees it: `{ id, username, role, enabled }`. */
  user(username: string): Promise<AdminUser>
}

export interface MockBackend {
  /** msw 2 handlers for /auth/*, /api/*, /admin/*, /healthz, /readyz and /openapi.json; for setupServer or setupWorker. */
  handlers: RequestHandler[]
  admin: MockAdmin
  /**
   * The mail the server sent, each with its `link` and `token`.
   * @example
   * await fetch('/auth/password/forgot', { method: 'POST', body: JSON.stringify({ email }), … })
   * await backend.mailbox.settled()
   * const token = backend.mailbox.last(email)?.token
   */
  mailbox: MockMailbox
  /** A fresh in-memory store with the users re-seeded, an empty cookie jar and an empty mailbox. */
  reset(): Promise<void>
  /** The app itself, for `app.request()`. */
  app(): Promise<LeashApp>
}

/** `navigator.userAgent`, where the runtime has one (browsers, jsdom, Node 21+). */
function navigatorUserAgent(): string | null {
  return (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent || null
}

/** `location.origin` when the code runs in a page with an http(s) origin. */
function locationOrigin(): string | null {
  const origin = (globalThis as { location?: { origin?: string } }).location?.origin
  return origin && /^https?:\/\//.test(origin) ? origin : null
}

/**
 * The reference server in memory, as msw handlers: the same `createApp()` as the real server, over the
 * memory store, with `Date.now()` as its clock (so fake timers move it too). A mocked response cannot set an
 * HttpOnly cookie, so it keeps cookies in a jar of its own that behaves like a browser's (see
 * `createCookieJar`): a client that forgets `withCredentials` for another origin gets no cookie here either.
 * @example
 * const backend = createMockBackend({ users: [{ username: 'alice', password: 'alice-password' }] })
 * const server = setupServer(...backend.handlers)
 */
export function createMockBackend(options: MockBackendOptions = {}): MockBackend {
  const base = (options.baseUrl ?? '').replace(/\/+$/, '')
  const prefix = base ? new URL(base, 'http://leash.mock').pathname.replace(/\/+$/, '') : ''
  const hasher = createPbkdf2Hasher(1_000) // a mock: fast hashing keeps test suites quick
  const globalSecret = randomToken(32)
  const jar = createCookieJar(() => Date.now())
  const pageOrigin = options.pageOrigin ?? locationOrigin
  const userAgent = options.userAgent ?? navigatorUserAgent
  const mailer = createMemoryMailer()
  let current: Promise<LeashApp>

  const boot = async () => {
    const store = createMemoryStore()
    const app = createApp({
      store,
      globalSecret,
      hasher,
      clock: { now: () => Date.now() },
      config: { secureCookies: false, ...options.config },
      mailer,
      linkOrigin: options.linkOrigin ?? pageOrigin() ?? 'http://localhost',
    })
    await seedUsers(store, hasher, options.users ?? [], Date.now())
    return app
  }
  current = boot()

  const handle = async ({ request }: { request: Request }) => {
    const app = await current
    const url = new URL(request.url)
    const path = prefix && url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname
    const page = pageOrigin()
    const seen = { url, path, credentials: request.credentials ?? 'same-origin', page }
    const headers = new Headers(request.headers)
    const cookies = jar.header(seen)
    if (cookies) {
      const others = headers.get('cookie')
      headers.set('cookie', others ? `${others}; ${cookies}` : cookies)
    }
    // A browser names the page in Origin on every cross-origin request and on every POST from fetch or XHR.
    const unsafe = request.method !== 'GET' && request.method !== 'HEAD'
    if (page && !headers.has('origin') && (unsafe || url.origin !== page)) headers.set('origin', page)
    // A browser adds its User-Agent to every request; a session signed in here keeps it.
    const agent = headers.has('user-agent') ? null : userAgent()
    if (agent) headers.set('user-agent', agent)
    // The request keeps its own origin, so the server's same-origin check sees what a real one would.
    const response = await app.fetch(
      new Request(`${url.origin}${path}${url.search}`, {
        method: request.method,
        headers,
        body: unsafe ? await request.arrayBuffer() : undefined,
      }),
    )
    jar.store(seen, response.headers.getSetCookie())
    const out = new Headers(response.headers)
    out.delete('set-cookie')
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers: out,
    })
  }

  const handlers = ['/auth/*', '/api/*', '/admin/*', '/healthz', '/readyz', '/openapi.json'].map((path) =>
    http.all(`${base}${path}`, handle),
  )

  const byName = async (username: string) => {
    const app = await current
    const user = await app.admin.userByName(username)
    if (!user) throw new Error(`the mock backend has no user "${username}"`)
    return { app, user }
  }
  const act = (run: (app: LeashApp, id: string) => Promise<unknown>) => async (username: string) => {
    const { app, user } = await byName(username)
    await run(app, user.id)
  }

  return {
    handlers,
    admin: {
      disable: act((app, id) => app.admin.disable(id)),
      enable: act((app, id) => app.admin.enable(id)),
      revoke: act((app, id) => app.admin.revoke(id)),
      setRole: async (username, role) => {
        const { app, user } = await byName(username)
        await app.admin.setRole(user.id, role)
      },
      revokeAll: async () => (await current).admin.revokeAll(),
      user: async (username) => (await byName(username)).user,
    },
    mailbox: Object.assign(mailer, { settled: async () => (await current).flushMail() }),
    async reset() {
      jar.clear()
      mailer.clear()
      ;(await current).close()
      current = boot()
      await current
    },
    app: () => current,
  }
}
