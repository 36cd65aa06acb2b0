import { inspect } from 'node:util'
import { HttpResponse, http } from 'msw'
import { describe, expect, test, vi } from 'vitest'
import { ALICE, mockBackend, rejection } from '../test/harness.js'
import { LeashError } from './errors.js'

// Issue 16, item 9: a LeashError is logged, reported and printed (`console.error(e)` in Node, SSR and React
// Native walks its cause). Nothing reachable from it may hold a password, an access token or a refresh token.
const { client, server, backend } = mockBackend({ accessTtl: 300, idleTimeout: 1800 })

/** Every string reachable from `root`: own properties (symbols, non-enumerable, getters), Maps, Sets, Headers. */
function strings(root: unknown): string[] {
  const found: string[] = []
  const seen = new Set<unknown>()
  const queue: unknown[] = [root]
  while (queue.length && seen.size < 100_000) {
    const v = queue.pop()
    if (typeof v === 'string') found.push(v)
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null || seen.has(v)) continue
    seen.add(v)
    if (v instanceof Map || v instanceof Headers)
      for (const [k, x] of v as Map<unknown, unknown>) queue.push(k, x)
    if (v instanceof Set) queue.push(...v)
    if (typeof v === 'function') continue
    for (const key of Reflect.ownKeys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, key)!
      try {
        queue.push('value' in d ? d.value : d.get?.call(v))
      } catch {}
    }
  }
  return found
}

/** Every token the server handed out, and the passwords the test sends. */
function secrets(...passwords: string[]) {
  const all = new Set(passwords)
  server.events.on('response:mocked', async ({ response }) => {
    const body = await response
      .clone()
      .json()
      .catch(() => null)
    for (const t of [body?.access_token, body?.refresh_token]) if (t) all.add(t)
  })
  return all
}

function expectClean(error: unknown, all: Set<string>) {
  expect(error).toBeInstanceOf(LeashError)
  expect(all.size).toBeGreaterThan(0)
  const found = strings(error)
  const printed = inspect(error, { depth: Number.POSITIVE_INFINITY })
  for (const secret of all) {
    expect(
      found.filter((s) => s.includes(secret)),
      secret,
    ).toEqual([])
    expect(printed.includes(secret), `inspect shows ${secret}`).toBe(false)
  }
  // what is kept to debug with
  expect((error as LeashError).cause).toBeInstanceOf(Error)
}

describe.each(['cookie', 'body'] as const)(
  'no secret reachable from a LeashError (refreshTransport %s)',
  (mode) => {
    test('login with a wrong password', async () => {
      const all = secrets('wrong-password')
      const leash = client({ refreshTransport: mode })
      const e = await rejection(leash.login({ username: 'alice', password: 'wrong-password' }))
      expect(e).toMatchObject({ code: 'invalid_credentials', status: 401 })
      expect((e as LeashError).cause).toMatchObject({
        name: 'AxiosError',
        method: 'post',
        url: '/auth/login',
      })
      expectClean(e, all)
    })

    test('register refused', async () => {
      const all = secrets('another-password')
      const leash = client({ refreshTransport: mode })
      const e = await rejection(leash.register({ username: 'alice', password: 'another-password' }))
      expect(e).toMatchObject({ code: 'username_taken' })
      expectClean(e, all)
    })

    test('changePassword refused: both passwords and the bearer', async () => {
      const all = secrets(ALICE.password, 'wrong-password', 'a-new-password')
      const leash = client({ refreshTransport: mode })
      await leash.login(ALICE)
      const e = await rejection(leash.changePassword({ current: 'wrong-password', next: 'a-new-password' }))
      expect(e).toMatchObject({ code: 'invalid_credentials' })
      expectClean(e, all)
    })

    test('a refresh refused: the refresh token in the body, the error everywhere it is kept', async () => {
      const all = secrets(ALICE.password)
      const leash = client({ refreshTransport: mode })
      const failed = vi.fn()
      leash.on('refreshFailed', failed)
      await leash.login(ALICE)
      await backend.admin.revoke('alice')
      const e = await rejection(leash.extend())
      expect(e).toMatchObject({ code: 'session_revoked' })
      expectClean(e, all)
      expectClean(leash.store.getState().lastError, all)
      expectClean(failed.mock.calls[0]![0].error, all)
      // the next request is refused with why the session ended
      expectClean(await rejection(leash.http.get('/api/notes')), all)
    })

    test('an app request refused after its retry: the 401 as a LeashError', async () => {
      const all = secrets(ALICE.password)
      const leash = client({ refreshTransport: mode })
      await leash.login(ALICE)
      server.use(
        http.get('/api/deny', () =>
          HttpResponse.json({ error: { code: 'invalid_token', message: 'no' } }, { status: 401 }),
        ),
      )
      const e = await rejection(leash.http.get('/api/deny?q=1'))
      expect(e).toMatchObject({ code: 'invalid_token', status: 401 })
      expect((e as LeashError).cause).toMatchObject({ url: '/api/deny', method: 'get' })
      expectClean(e, all)
    })

    test('network errors: login, and a call with the bearer', async () => {
      const all = secrets(ALICE.password)
      const leash = client({ refreshTransport: mode })
      await leash.login(ALICE)
      server.use(
        http.post('/auth/login', () => HttpResponse.error()),
        http.get('/auth/sessions', () => HttpResponse.error()),
      )
      const login = await rejection(leash.login(ALICE))
      expect(login).toMatchObject({ code: 'network_error' })
      expectClean(login, all)
      const list = await rejection(leash.sessions())
      expect(list).toMatchObject({ code: 'network_error' })
      expectClean(list, all)
    })
  },
)
