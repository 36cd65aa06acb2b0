import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import type { Lock } from './cross-tab.js'
import { refreshSession, SETTLE_MS } from './refresh.js'
import { RETRIES } from './refresh-policy.js'
import type { LenientTokenResponse, StoredSession } from './tokens.js'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

const record = (accessToken: string, accessExpiresAt = Date.now() + 300_000): StoredSession => ({
  accessToken,
  accessExpiresAt,
  idleExpiresAt: Date.now() + 1_800_000,
  absoluteExpiresAt: Date.now() + 43_200_000,
  issuedAt: Date.now(),
  user: { id: 'u', username: 'alice', role: 'user' },
})
const response: LenientTokenResponse = { access_token: 'new', token_type: 'Bearer', expires_in: 300 }

function deps(overrides: Partial<Parameters<typeof refreshSession>[0]> = {}) {
  const steps: string[] = []
  const lock: Lock = async (_name, fn) => {
    steps.push('lock')
    try {
      return await fn(false)
    } finally {
      steps.push('unlock')
    }
  }
  return {
    steps,
    deps: {
      lock,
      clock: Date.now,
      log: () => {},
      current: () => record('old'),
      stored: () => record('old'),
      save: () => void steps.push('save'),
      post: async () => {
        steps.push('post')
        return response
      },
      ...overrides,
    },
  }
}

test('the new record is stored before the lock is released, so a waiting tab finds it', async () => {
  const { steps, deps: d } = deps()
  const r = await refreshSession(d, new AbortController().signal)
  expect(r.accessToken).toBe('new')
  expect(steps).toEqual(['lock', 'post', 'save', 'unlock'])
})

test('a tab that waited takes the newer unexpired token from storage instead of refreshing', async () => {
  const { steps, deps: d } = deps({ stored: () => record('from-other-tab') })
  expect((await refreshSession(d, new AbortController().signal)).accessToken).toBe('from-other-tab')
  expect(steps).not.toContain('post')
})

test('a tab that waited for the lock gives the holder’s news time to arrive before refreshing itself', async () => {
  // The other tab's write shows up here only after a while (a browser delivers it asynchronously).
  let arrived: StoredSession | null = null
  setTimeout(() => {
    arrived = record('from-other-tab')
  }, SETTLE_MS - 50)
  const waitedLock: Lock = async (_name, fn) => fn(true)
  const { steps, deps: d } = deps({ lock: waitedLock, stored: () => arrived ?? record('old') })
  const taken = refreshSession(d, new AbortController().signal)
  await vi.advanceTimersByTimeAsync(SETTLE_MS)
  expect((await taken).accessToken).toBe('from-other-tab')
  expect(steps).not.toContain('post')

  // Nothing arrives: it refreshes after the wait; a tab that did not wait refreshes at once.
  const late = deps({ lock: waitedLock })
  const posted = refreshSession(late.deps, new AbortController().signal)
  await vi.advanceTimersByTimeAsync(SETTLE_MS - 1)
  expect(late.steps).not.toContain('post')
  await vi.advanceTimersByTimeAsync(1)
  expect((await posted).accessToken).toBe('new')
  const free = deps()
  await refreshSession(free.deps, new AbortController().signal)
  expect(free.steps).toEqual(['lock', 'post', 'save', 'unlock'])
})

test('401 is thrown at once; network errors retry with growing delays, bounded', async () => {
  const unauthorized = Object.assign(new Error('401'), {
    response: { status: 401, data: { error: { code: 'session_revoked' } } },
  })
  const post = vi.fn(async () => {
    throw unauthorized
  })
  await expect(refreshSession(deps({ post }).deps, new AbortController().signal)).rejects.toMatchObject({
    code: 'session_revoked',
  })
  expect(post).toHaveBeenCalledTimes(1)

  const times: number[] = []
  const offline = vi.fn(async () => {
    times.push(Date.now())
    throw new Error('Network Error')
  })
  const failing = refreshSession(deps({ post: offline }).deps, new AbortController().signal)
  failing.catch(() => {})
  await vi.advanceTimersByTimeAsync(120_000)
  await expect(failing).rejects.toMatchObject({ code: 'network_error' })
  expect(offline).toHaveBeenCalledTimes(RETRIES + 1)
  const gaps = times.slice(1).map((t, i) => t - times[i]!)
  expect(gaps).toEqual([1_000, 2_000, 4_000, 8_000, 16_000])
})

test('an abort (logout, disable) stops the backoff and nothing is saved', async () => {
  const controller = new AbortController()
  const save = vi.fn()
  const post = vi.fn(async () => {
    throw new Error('Network Error')
  })
  const run = refreshSession(deps({ post, save }).deps, controller.signal)
  run.catch(() => {})
  await vi.advanceTimersByTimeAsync(1_500)
  controller.abort(new Error('logged out'))
  await expect(run).rejects.toThrow('logged out')
  await vi.advanceTimersByTimeAsync(60_000)
  expect(post).toHaveBeenCalledTimes(2)
  expect(save).not.toHaveBeenCalled()
})
