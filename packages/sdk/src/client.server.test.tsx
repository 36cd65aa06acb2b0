// @vitest-environment node
import { renderToString } from 'react-dom/server'
import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import { createLeashClient } from './client.js'
import { LeashProvider, RequireSession, useLeash } from './react/index.js'

// A server renders with a client made at module scope, shared by every request: it must touch no storage
// (Node 22+ has a process-wide localStorage, which would hand one visitor's session to the next), arm no
// timer, and find no window.
const now = Date.now()
const leftover = JSON.stringify({
  accessToken: 'someone-elses-token',
  accessExpiresAt: now + 60_000,
  idleExpiresAt: now + 600_000,
  absoluteExpiresAt: now + 600_000,
  issuedAt: now,
  user: { id: 'u1', username: 'mallory', role: 'admin' },
})
const touched: string[] = []

beforeEach(() => {
  vi.useFakeTimers()
  // what Node's own Web Storage would hold: the session some earlier code left in it
  for (const name of ['localStorage', 'sessionStorage'])
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get() {
        touched.push(name)
        return {
          getItem: () => leftover,
          setItem() {},
          removeItem() {},
          clear() {},
        }
      },
    })
})
afterEach(() => {
  for (const name of ['localStorage', 'sessionStorage']) delete (globalThis as Record<string, unknown>)[name]
  touched.length = 0
  vi.useRealTimers()
})

test('createLeashClient on a server touches no storage, arms no timer and finds no window', () => {
  for (const storage of [undefined, 'local', 'session'] as const) {
    const leash = createLeashClient({ baseURL: 'https://api.example.com', storage })
    expect(leash.store.getState()).toMatchObject({ status: 'anonymous', accessToken: null, user: null })
    expect(touched).toEqual([])
    expect(vi.getTimerCount()).toBe(0)
    expect(typeof window).toBe('undefined')
    leash.dispose()
  }
})

test('a server render shows the pending state, whatever the server-side client holds', () => {
  const leash = createLeashClient({ baseURL: 'https://api.example.com' })
  function Status() {
    return <p>{useLeash((s) => s.status)}</p>
  }
  const html = renderToString(
    <LeashProvider client={leash}>
      <Status />
      <RequireSession fallback={<p>sign in</p>} pending={<p>loading</p>}>
        <p>private</p>
      </RequireSession>
    </LeashProvider>,
  )
  expect(html).toBe('<p>pending</p><p>loading</p>')
  expect(touched).toEqual([])
  expect(vi.getTimerCount()).toBe(0)
})
