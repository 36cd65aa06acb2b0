import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { HttpResponse, http } from 'msw'
import { hydrateRoot } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { afterEach, expect, test, vi } from 'vitest'
import { ALICE, memoryLock, mockBackend, ROOT, rejection, settle } from '../../test/harness.js'
import type { LeashClient } from '../client.js'
import { createLeashClient } from '../client.js'
import { LeashProvider, useLeash, useSessions } from './index.js'

afterEach(cleanup)
const { client, count, server } = mockBackend({ accessTtl: 300, idleTimeout: 1800 })

/** What each render showed: whose session, and how many devices. */
const renders: string[] = []

/** Renders the list as text: one line per device, this one marked, and a button to sign each out. */
function Devices() {
  const { sessions, loading, error, refresh, revoke } = useSessions()
  const who = useLeash((s) => s.user?.username)
  renders.push(`${who}:${sessions?.length ?? 'none'}`)
  return (
    <div>
      <p data-testid="state">
        {loading ? 'loading' : 'idle'} {error ? error.code : 'ok'} {sessions ? sessions.length : 'none'}
      </p>
      <ul>
        {sessions?.map((s) => (
          <li key={s.id}>
            {s.current ? 'this device' : s.id}
            <button type="button" onClick={() => void revoke(s.id).catch(() => {})}>
              sign out {s.current ? 'here' : s.id}
            </button>
          </li>
        ))}
      </ul>
      <button type="button" onClick={refresh}>
        refresh
      </button>
    </div>
  )
}

const state = () => screen.getByTestId('state').textContent
const show = (leash: LeashClient) =>
  render(
    <LeashProvider client={leash}>
      <Devices />
    </LeashProvider>,
  )

/** Another device signed in as `who` (its own storage and refresh token); returns it and its session id. */
async function device(who = ALICE) {
  const c = client({ storage: 'memory', refreshTransport: 'body' })
  await c.login(who)
  return { c, id: (await c.sessions()).find((s) => s.current)!.id }
}

test('lists the devices once signed in; revoking another fetches the list again', async () => {
  const leash = client()
  show(leash)
  expect(state()).toBe('idle ok none') // signed out: nothing to fetch
  expect(count('/auth/sessions')).toBe(0)
  const phone = await device()
  await act(() => leash.login(ALICE).then(() => {}))
  expect(state()).toBe('loading ok none')
  await vi.waitFor(() => expect(state()).toBe('idle ok 2'))
  expect(screen.getByText('this device')).toBeTruthy()

  fireEvent.click(screen.getByText(`sign out ${phone.id}`))
  await vi.waitFor(() => expect(state()).toBe('idle ok 1'))
  expect(screen.queryByText(phone.id)).toBeNull()
  expect(await rejection(phone.c.http.get('/api/notes'))).toMatchObject({ code: 'session_revoked' })
  expect(leash.store.getState().status).toBe('authenticated')
})

test('signing this device out ends the session here and in the other tab; the list goes with it', async () => {
  const lock = memoryLock()
  const leash = client({ crossTab: true, lock })
  const tab = client({ crossTab: true, lock })
  await leash.login(ALICE)
  await vi.waitFor(() => expect(tab.store.getState().status).toBe('authenticated'))
  show(leash)
  await vi.waitFor(() => expect(state()).toBe('idle ok 1'))
  fireEvent.click(screen.getByText('sign out here'))
  await vi.waitFor(() => expect(leash.store.getState().status).toBe('loggedOut'))
  expect(state()).toBe('idle ok none')
  await vi.waitFor(() => expect(tab.store.getState().status).toBe('loggedOut'))
  expect(count('/auth/sessions')).toBe(1) // nothing fetched once signed out
})

test("a refresh in another tab fetches the list again; another user's sign-in never shows the old list", async () => {
  const lock = memoryLock()
  const leash = client({ crossTab: true, lock })
  const tab = client({ crossTab: true, lock })
  await leash.login(ALICE)
  await vi.waitFor(() => expect(tab.store.getState().status).toBe('authenticated'))
  renders.length = 0
  show(leash)
  await vi.waitFor(() => expect(state()).toBe('idle ok 1'))
  expect(count('/auth/sessions')).toBe(1)

  await settle(tab.extend())
  await vi.waitFor(() => expect(count('/auth/sessions')).toBe(2))
  await vi.waitFor(() => expect(state()).toBe('idle ok 1'))

  await device(ALICE)
  await device(ALICE)
  await device(ROOT)
  fireEvent.click(screen.getByText('refresh'))
  await vi.waitFor(() => expect(state()).toBe('idle ok 3'))
  // root signs in in the other tab (this tab follows), with one live session of his elsewhere
  await act(() => tab.login(ROOT).then(() => {}))
  await vi.waitFor(() => expect(state()).toBe('idle ok 2'))
  expect(renders).toContain('root:none')
  expect(renders).not.toContain('root:3') // alice's list, never shown to root
})

test('the list never keeps an idle session alive: a refresh re-fetches it, but as background', async () => {
  // a clock that moves between any two readings, as a real one does between a refresh and the re-fetch
  let last = 0
  const leash = client({ clock: () => (last = Math.max(last + 1, Date.now())) })
  await leash.login(ALICE)
  show(leash)
  await vi.waitFor(() => expect(state()).toBe('idle ok 1'))
  await act(() => leash.extend()) // a refresh: the list is fetched again
  await vi.waitFor(() => expect(count('/auth/sessions')).toBe(2))
  await vi.waitFor(() => expect(state()).toBe('idle ok 1'))
  // nobody is active from here: no refresh, and the idle session ends
  await act(() => vi.advanceTimersByTimeAsync(1_801_000))
  expect(count('/auth/refresh')).toBe(1)
  expect(leash.store.getState().status).toBe('expired')
  expect(state()).toBe('idle ok none')
})

test("an idle session's expired token: the list waits, without an error, for the refresh activity brings", async () => {
  const leash = client()
  await leash.login(ALICE)
  await vi.advanceTimersByTimeAsync(301_000)
  show(leash)
  await act(() => vi.advanceTimersByTimeAsync(0))
  expect(state()).toBe('loading ok none')
  expect(count('/auth/sessions')).toBe(0)
  fireEvent.keyDown(document.body) // the user is back: the session refreshes, and the list follows
  await vi.waitFor(() => expect(state()).toBe('idle ok 1'))
  expect(count('/auth/refresh')).toBe(1)
})

test('a failed fetch keeps the last list and says why; refresh() tries again', async () => {
  const leash = client()
  await leash.login(ALICE)
  show(leash)
  await vi.waitFor(() => expect(state()).toBe('idle ok 1'))
  server.use(
    http.get('/auth/sessions', () =>
      HttpResponse.json({ error: { code: 'store_unavailable', message: '-' } }, { status: 503 }),
    ),
  )
  fireEvent.click(screen.getByText('refresh'))
  await vi.waitFor(() => expect(state()).toBe('idle store_unavailable 1'))
  server.resetHandlers()
  fireEvent.click(screen.getByText('refresh'))
  await vi.waitFor(() => expect(state()).toBe('idle ok 1'))
  expect(leash.store.getState().status).toBe('authenticated')
})

test('a server render shows no list and fetches nothing; it hydrates without a mismatch, then fetches', async () => {
  const earlier = client()
  await earlier.login(ALICE) // the browser holds a session from an earlier visit
  earlier.dispose()
  const page = (leash: LeashClient) => (
    <LeashProvider client={leash}>
      <Devices />
    </LeashProvider>
  )
  const html = renderToString(page(createLeashClient({ window: undefined, crossTab: false })))
  expect(html.replace(/<!-- -->/g, '')).toContain('idle ok none')
  expect(count('/auth/sessions')).toBe(0)

  const container = document.createElement('div')
  container.innerHTML = html
  document.body.append(container)
  const errors = vi.spyOn(console, 'error')
  const recoverable = vi.fn()
  let root: { unmount(): void } | undefined
  await act(async () => {
    root = hydrateRoot(container, page(client()), { onRecoverableError: recoverable })
  })
  expect(errors).not.toHaveBeenCalled()
  expect(recoverable).not.toHaveBeenCalled()
  errors.mockRestore()
  await vi.waitFor(() => expect(state()).toBe('idle ok 1'))
  act(() => root?.unmount())
  container.remove()
})
