import { createMockBackend } from '@leash/reference-server/msw'
import { fireEvent } from '@testing-library/react'
import { describe, expect, test, vi } from 'vitest'
import { ALICE, mockBackend, rejection, sessionKey, settle } from '../test/harness.js'
import { transports } from '../test/transports.js'
import type { LeashClient } from './client.js'
import { localLock } from './cross-tab.js'
import { storageChannel } from './fallbacks.js'
import type { LeashOptions } from './options.js'

// Two clients on one jsdom page stand in for two tabs: they share localStorage and the cookie jar, and talk
// over BroadcastChannel; jsdom has no Web Locks, so the localStorage lease is the lock. The real-browser
// version of these tests is cross-tab.browser.test.ts.
const { client, count, backend, server } = mockBackend()
const notes = '/api/notes'

async function twoTabs(options: LeashOptions = {}): Promise<[LeashClient, LeashClient]> {
  const a = client({ crossTab: true, ...options })
  const b = client({ crossTab: true, ...options })
  await a.login(ALICE)
  await vi.waitFor(() => expect(b.store.getState().status).toBe('authenticated'))
  expect(b.store.getState().accessToken).toBe(a.store.getState().accessToken)
  return [a, b]
}

describe.each(transports)('through $name', ({ get }) => {
  test('two tabs with expired tokens: one refresh, and the tab that waited uses the new token', async () => {
    const [a, b] = await twoTabs()
    await vi.advanceTimersByTimeAsync(301_000)
    fireEvent.keyDown(document.body) // both tabs see activity and want to refresh
    const [ra, rb] = await settle(Promise.all([get(a, notes), get(b, notes)]))
    expect([ra.status, rb.status]).toEqual([200, 200])
    expect(count('/auth/refresh')).toBe(1)
    expect(b.store.getState().accessToken).toBe(a.store.getState().accessToken)
  })

  test('control: with a lock that excludes nothing, both tabs refresh', async () => {
    const [a, b] = await twoTabs({ lock: localLock })
    await vi.advanceTimersByTimeAsync(301_000)
    fireEvent.keyDown(document.body)
    await settle(Promise.all([get(a, notes), get(b, notes)]))
    expect(count('/auth/refresh')).toBe(2)
  })

  test('disable seen by one tab reaches the other', async () => {
    const [a, b] = await twoTabs()
    await backend.admin.disable('alice')
    expect(await rejection(get(a, notes))).toMatchObject({ code: 'user_disabled' })
    await vi.waitFor(() => expect(b.store.getState().status).toBe('disabled'))
    expect(b.store.getState().accessToken).toBeNull()
  })
})

test('logout in one tab reaches the other, with the 1-second token', async () => {
  const [a, b] = await twoTabs()
  const heard = vi.fn()
  b.on('loggedOut', heard)
  await a.logout()
  await vi.waitFor(() => expect(b.store.getState().status).toBe('loggedOut'))
  expect(b.store.getState().accessToken).toBe(a.store.getState().accessToken)
  expect(heard).toHaveBeenCalledWith({ remote: true })
})

describe('one page origin, two APIs', () => {
  const OTHER = 'http://other.test'
  const useOther = () =>
    server.use(
      ...createMockBackend({
        baseUrl: OTHER,
        users: [{ ...ALICE, role: 'user' }],
        // the page is another origin for this API: listed, as a cross-origin sign-in needs it to be
        config: { corsOrigins: [location.origin] },
      }).handlers,
    )

  test('clients of different APIs keep separate storage keys and ignore each other on the channel', async () => {
    useOther()
    const a = client({ crossTab: true })
    const witness = client({ crossTab: true }) // same API as a: shows the messages were delivered
    const b = client({ crossTab: true, baseURL: OTHER })
    await a.login(ALICE)
    await vi.waitFor(() => expect(witness.store.getState().status).toBe('authenticated'))
    expect(b.store.getState().status).toBe('anonymous')
    expect(localStorage.getItem(sessionKey())).toContain(a.store.getState().accessToken)
    expect(localStorage.getItem('leash:session')).toBeNull()

    await b.login(ALICE)
    expect(localStorage.getItem(sessionKey(OTHER))).toContain(b.store.getState().accessToken)
    await a.logout()
    await vi.waitFor(() => expect(witness.store.getState().status).toBe('loggedOut'))
    expect(b.store.getState().status).toBe('authenticated')
    // a page loaded later for the other API finds its own session, not the first API's
    expect(client({ baseURL: OTHER }).store.getState().accessToken).toBe(b.store.getState().accessToken)
  })

  test('a session under the old un-namespaced key is dropped, not adopted', () => {
    const now = Date.now()
    const legacy = {
      accessToken: 'legacy',
      accessExpiresAt: now + 60_000,
      idleExpiresAt: now + 600_000,
      absoluteExpiresAt: now + 600_000,
      issuedAt: now,
      user: { id: 'u1', username: 'alice', role: 'user' },
    }
    localStorage.setItem('leash:session', JSON.stringify(legacy))
    const leash = client()
    expect(leash.store.getState()).toMatchObject({ status: 'anonymous', accessToken: null })
    expect(localStorage.getItem('leash:session')).toBeNull()
  })
})

describe('messages on the channel are checked before they are acted on', () => {
  const now = Date.now()
  const record = {
    accessToken: 'forged',
    accessExpiresAt: now + 60_000,
    idleExpiresAt: now + 600_000,
    absoluteExpiresAt: now + 600_000,
    issuedAt: now,
    user: { id: 'u1', username: 'mallory', role: 'admin' },
  }
  const malformed: unknown[] = [
    null,
    'disabled',
    42,
    {},
    { type: 'bogus' },
    { type: 'session' },
    { type: 'session', record: { ...record, accessToken: 5 } },
    { type: 'session', record: { ...record, accessExpiresAt: '9999' } },
    { type: 'session', record: { ...record, idleExpiresAt: Number.POSITIVE_INFINITY } },
    { type: 'session', record: { ...record, absoluteExpiresAt: Number.NaN } },
    { type: 'session', record: { ...record, issuedAt: undefined } },
    { type: 'session', record: { ...record, user: null } },
    { type: 'session', record: { ...record, user: { id: 1, username: 'x', role: 'admin' } } },
    { type: 'session', record: { ...record, user: { ...record.user, role: 'superuser' } } },
    { type: 'session', record: { ...record, refreshToken: {} } },
    { type: 'session', record, login: 'yes' },
    { type: 'loggedOut', accessToken: 5, accessExpiresAt: now },
    { type: 'loggedOut', accessToken: 'one-second' },
    { type: 'loggedOut', accessExpiresAt: now },
  ]

  test('malformed messages are ignored without throwing; a well-formed one still acts', async () => {
    let deliver!: (m: unknown) => void
    const leash = client({
      crossTab: true,
      channel: (onMessage) => {
        deliver = onMessage
        return { post() {}, close() {} }
      },
    })
    await leash.login(ALICE)
    const before = leash.store.getState()
    const events = vi.fn()
    for (const e of ['login', 'refreshed', 'loggedOut', 'disabled'] as const) leash.on(e, events)
    for (const m of malformed) {
      expect(() => deliver(m), JSON.stringify(m)).not.toThrow()
      expect(leash.store.getState(), JSON.stringify(m)).toBe(before)
    }
    expect(events).not.toHaveBeenCalled()
    expect(localStorage.getItem(sessionKey())).toContain(before.accessToken)
    deliver({ type: 'session', record, login: true })
    expect(leash.store.getState()).toMatchObject({ status: 'authenticated', accessToken: 'forged' })
  })

  test('junk written to the storage fallback key is ignored without throwing', async () => {
    let listener!: (e: Partial<StorageEvent>) => void
    const target = {
      addEventListener: (_type: string, l: () => void) => {
        listener = l as typeof listener
      },
      removeEventListener() {},
    }
    const leash = client({ crossTab: true, channel: storageChannel(localStorage, target) })
    await leash.login(ALICE)
    const key = `leash:${location.origin}:message`
    for (const newValue of ['{oops', 'null', '42', '"disabled"', '{"m":null}', '{"m":{"type":"bogus"}}']) {
      expect(() => listener({ key, newValue }), newValue).not.toThrow()
    }
    expect(leash.store.getState().status).toBe('authenticated')
    listener({ key, newValue: JSON.stringify({ m: { type: 'loggedOut' }, n: 1 }) })
    expect(leash.store.getState().status).toBe('loggedOut')
  })
})
