import { fireEvent } from '@testing-library/react'
import { expect, test, vi } from 'vitest'
import { ALICE, mockBackend, rejection, settle } from '../test/harness.js'
import { localLock } from './cross-tab.js'
import type { LeashClient } from './leash-client.js'
import type { LeashOptions } from './options.js'

// Two clients on one jsdom page stand in for two tabs: they share localStorage and the cookie jar, and talk
// over BroadcastChannel; jsdom has no Web Locks, so the localStorage lease is the lock. The real-browser
// version of these tests is cross-tab.browser.test.ts.
const { client, count, backend } = mockBackend()
const notes = '/api/notes'

async function twoTabs(options: LeashOptions = {}): Promise<[LeashClient, LeashClient]> {
  const a = client({ crossTab: true, ...options })
  const b = client({ crossTab: true, ...options })
  await a.login(ALICE)
  await vi.waitFor(() => expect(b.store.getState().status).toBe('authenticated'))
  expect(b.store.getState().accessToken).toBe(a.store.getState().accessToken)
  return [a, b]
}

test('two tabs with expired tokens: one refresh, and the tab that waited uses the new token', async () => {
  const [a, b] = await twoTabs()
  await vi.advanceTimersByTimeAsync(301_000)
  fireEvent.keyDown(document.body) // both tabs see activity and want to refresh
  const [ra, rb] = await settle(Promise.all([a.http.get(notes), b.http.get(notes)]))
  expect([ra.status, rb.status]).toEqual([200, 200])
  expect(count('/auth/refresh')).toBe(1)
  expect(b.store.getState().accessToken).toBe(a.store.getState().accessToken)
})

test('control: with a lock that excludes nothing, both tabs refresh', async () => {
  const [a, b] = await twoTabs({ lock: localLock })
  await vi.advanceTimersByTimeAsync(301_000)
  fireEvent.keyDown(document.body)
  await settle(Promise.all([a.http.get(notes), b.http.get(notes)]))
  expect(count('/auth/refresh')).toBe(2)
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

test('disable seen by one tab reaches the other', async () => {
  const [a, b] = await twoTabs()
  await backend.admin.disable('alice')
  expect(await rejection(a.http.get(notes))).toMatchObject({ code: 'user_disabled' })
  await vi.waitFor(() => expect(b.store.getState().status).toBe('disabled'))
  expect(b.store.getState().accessToken).toBeNull()
})
