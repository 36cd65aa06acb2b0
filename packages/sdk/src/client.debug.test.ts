import { inspect } from 'node:util'
import { fireEvent } from '@testing-library/react'
import { expect, test, vi } from 'vitest'
import { ALICE, memoryLock, mockBackend, rejection } from '../test/harness.js'
import type { LeashOptions } from './options.js'

const { client, server, backend } = mockBackend({ accessTtl: 300, idleTimeout: 900 })
const notes = '/api/notes'

/** Every token the server hands out in a body (body transport: the refresh tokens too). */
function tokensIssued() {
  const tokens = new Set<string>()
  server.events.on('response:mocked', async ({ response }) => {
    const body = await response
      .clone()
      .json()
      .catch(() => null)
    for (const t of [body?.access_token, body?.refresh_token]) if (typeof t === 'string') tokens.add(t)
  })
  return tokens
}

test('debug logs each decision of a full flow through the logger, and never a token', async () => {
  const issued = tokensIssued()
  const calls: { tab: string; what: unknown[] }[] = []
  const lock = memoryLock()
  const tab = (name: string): LeashOptions => ({
    crossTab: true,
    lock,
    refreshTransport: 'body',
    debug: true,
    logger: (...what) => calls.push({ tab: name, what }),
  })
  const a = client(tab('a'))
  const b = client(tab('b'))
  await a.login(ALICE)
  await vi.waitFor(() => expect(b.store.getState().status).toBe('authenticated'))
  expect((await a.http.get(notes, { leash: { background: true } })).status).toBe(200) // not activity

  // idle into the refresh margin: the deadline passes without a refresh; then input refreshes at once, in
  // both tabs, and one of them makes it under the lock while the other takes it
  for (let t = 0; t < 250; t++) await vi.advanceTimersByTimeAsync(1_000)
  fireEvent.keyDown(document.body)
  await vi.waitFor(() => expect(a.store.getState().status).toBe('authenticated'))
  await vi.waitFor(() => expect(b.store.getState().accessToken).toBe(a.store.getState().accessToken))
  // idle again: a background poll on the expired token is not refreshed; the warning opens; "stay" extends
  for (let t = 0; t < 350; t++) await vi.advanceTimersByTimeAsync(1_000)
  expect(await rejection(a.fetch(notes, { leash: { background: true } }))).toMatchObject({
    code: 'token_expired',
  })
  for (let t = 0; t < 500; t++) await vi.advanceTimersByTimeAsync(1_000) // refreshed at 250 s: warns at 1090 s
  expect(a.store.getState().warning).not.toBeNull()
  // Plain awaits: the lock here never waits, and stepping fake time while the mock's real-time crypto runs
  // could carry the clock past the session's end (settle() did, on a loaded machine).
  await a.extend()
  // the sign-in is 18 minutes old: the password change takes a recent one (step-up) first
  await a.reauthenticate(ALICE.password)
  await a.changePassword({ current: ALICE.password, next: 'a-new-password' })
  const c = client(tab('c')) // a page loaded now restores the session
  expect(c.store.getState().status).toBe('authenticated')
  await a.logout()
  await vi.waitFor(() => expect(b.store.getState().status).toBe('loggedOut'))
  await backend.admin.disable('alice')

  const text = calls.map(
    (c) => `${c.tab} ${c.what.map((w) => (typeof w === 'string' ? w : inspect(w))).join(' ')}`,
  )
  const logged = (start: string) => text.some((line) => line.startsWith(start))
  for (const line of [
    'a leash restore anonymous',
    'c leash restore authenticated',
    'a leash login',
    'a leash post session',
    'b leash receive session',
    'a leash refresh at',
    'a leash lock wait',
    'a leash lock held',
    'b leash refresh stored',
    'a leash 401 idle',
    'a leash warning idle',
    'a leash refresh extend',
    'a leash refresh reauthenticate',
    'a leash refresh password',
    'a leash logout false',
    'b leash receive loggedOut',
  ])
    expect(logged(line), line).toBe(true)
  expect(logged('a leash refresh idle')).toBe(true) // the deadline passed while idle
  expect(text.some((line) => /^[ab] leash refresh input$/.test(line))).toBe(true)

  // the tokens: every one the server issued, and everything the tabs held or stored
  expect(issued.size).toBeGreaterThan(5)
  const held = [a, b, c].map((t) => t.store.getState().accessToken).filter((t): t is string => !!t)
  for (const token of [...issued, ...held]) {
    for (const call of calls) {
      for (const arg of call.what) expect(inspect(arg, { depth: 20 })).not.toContain(token)
    }
  }
})

test('without debug the logger is never called; with it and no logger, console.debug is', async () => {
  const logger = vi.fn()
  const quiet = client({ logger })
  await quiet.login(ALICE)
  await quiet.extend()
  expect(logger).not.toHaveBeenCalled()

  const debug = vi.spyOn(console, 'debug').mockImplementation(() => {})
  const loud = client({ debug: true })
  await loud.login(ALICE)
  expect(debug).toHaveBeenCalledWith('leash', 'login')
  debug.mockRestore()
})
