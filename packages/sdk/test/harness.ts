// Shared setup for the SDK's integration tests: the reference server in memory (msw), fake timers,
// a request log, and clients that are disposed after each test.
import { createMockBackend, type MockBackendOptions } from '@leash/reference-server/msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest'
import { storageFallbacks } from '../src/fallbacks.js'
import { createLeashClient, type LeashClient, type LeashOptions, type Lock } from '../src/index.js'

export const ALICE = { username: 'alice', password: 'alice-password' }
export const ROOT = { username: 'root', password: 'root-password' }

/** Where a client whose API is `api` (default: the page's origin) keeps its session. */
export const sessionKey = (api = location.origin) => `leash:${api}:session`

/** Fakes only timers and Date: promises, microtasks and WebCrypto stay real. */
export const FAKE_TIMERS = {
  toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] as const,
}

/** One mock backend and msw server per test file, reset (store, cookie jar, storage) after each test. */
export function mockBackend(config?: MockBackendOptions['config'], baseUrl?: string) {
  const backend = createMockBackend({
    baseUrl,
    users: [
      { username: 'alice', password: 'alice-password', role: 'user' },
      { username: 'root', password: 'root-password', role: 'admin' },
    ],
    config,
  })
  const server = setupServer(...backend.handlers)
  const log: string[] = []
  const clients: LeashClient[] = []
  server.events.on('request:start', ({ request }) => {
    log.push(new URL(request.url).pathname)
  })
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  beforeEach(() => {
    vi.useFakeTimers({ toFake: [...FAKE_TIMERS.toFake] })
  })
  afterEach(async () => {
    for (const c of clients.splice(0)) c.dispose()
    vi.useRealTimers()
    server.resetHandlers()
    await backend.reset()
    log.length = 0
    globalThis.localStorage?.clear()
    globalThis.sessionStorage?.clear()
  })
  afterAll(() => server.close())
  return {
    backend,
    server,
    log,
    /** How many requests reached `path` so far. */
    count: (path: string) => log.filter((p) => p === path).length,
    /**
     * A client (cross-tab off unless asked) that is disposed after the test. jsdom has no Web Locks, so a
     * cross-tab client takes the localStorage lease of `@leash/sdk/fallbacks` (Chromium tests the real one).
     */
    client(options: LeashOptions = {}) {
      const fallbacks = options.crossTab ? storageFallbacks(window) : {}
      const c = createLeashClient({ crossTab: false, ...fallbacks, ...options })
      clients.push(c)
      return c
    },
  }
}

/**
 * A cross-tab lock for clients on one page that, unlike jsdom's default (a localStorage lease of 15 s), never
 * times out: for tests that move fake time in large steps while a refresh is on the wire.
 */
export function memoryLock(): Lock {
  let tail: Promise<unknown> = Promise.resolve()
  let holders = 0
  return (_name, fn) => {
    const waited = holders > 0
    holders += 1
    const run = tail
      .then(() => fn(waited))
      .finally(() => {
        holders -= 1
      })
    tail = run.catch(() => {})
    return run
  }
}

/** A promise the test opens when it wants. */
export function gate() {
  let open!: () => void
  const wait = new Promise<void>((resolve) => {
    open = resolve
  })
  return { wait, open }
}

/** Advances fake time in small steps until `promise` settles (for code that sleeps, e.g. storage locks). */
export async function settle<T>(promise: Promise<T>, step = 10, limit = 60_000): Promise<T> {
  let done = false
  const watched = promise.finally(() => {
    done = true
  })
  watched.catch(() => {})
  for (let t = 0; !done && t < limit; t += step) await vi.advanceTimersByTimeAsync(step)
  return watched
}

/** Captures a promise's rejection (or fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (e) {
    return e
  }
  throw new Error('expected a rejection')
}
