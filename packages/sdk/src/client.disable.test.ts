import { fireEvent } from '@testing-library/react'
import { HttpResponse, http } from 'msw'
import { describe, expect, test, vi } from 'vitest'
import { ALICE, gate, mockBackend, rejection, sessionKey } from '../test/harness.js'
import { transports } from '../test/transports.js'
import { LeashError } from './errors.js'

const { client, server, backend, count } = mockBackend()
const notes = '/api/notes'

/** What a disable leaves in Leash's key: a marker of the ending, no token, no user (see below). */
const MARKER = '{"disabled":true}'

function seedAppStorage() {
  localStorage.setItem('app:draft', 'keep?')
  sessionStorage.setItem('app:tab', 'keep?')
}

describe.each(transports)('user_enabled: false, through $name', ({ get }) => {
  test('on a success body: storage cleared, queued requests rejected, status disabled, refresh discarded', async () => {
    const leash = client()
    const disabled = vi.fn()
    leash.on('disabled', disabled)
    await leash.login(ALICE)
    seedAppStorage()
    const g = gate()
    server.use(
      http.post('/auth/refresh', async () => {
        await g.wait // then falls through to the real server, which would succeed
      }),
      http.get('/api/ping', () => HttpResponse.json({ ok: true, user_enabled: false })),
    )
    await vi.advanceTimersByTimeAsync(301_000)
    const queued = [1, 2, 3].map(() => rejection(get(leash, notes)))
    await vi.advanceTimersByTimeAsync(0)
    expect(count('/auth/refresh')).toBe(1) // the three wait on it
    const ping = await rejection(get(leash, '/api/ping', { skipAuth: true }))
    expect(ping).toMatchObject({ code: 'user_disabled' })
    for (const error of await Promise.all(queued)) {
      expect(error).toBeInstanceOf(LeashError)
      expect(error).toMatchObject({ code: 'user_disabled' })
    }
    expect(leash.store.getState()).toMatchObject({ status: 'disabled', accessToken: null, user: null })
    expect(Object.keys(localStorage)).toEqual([sessionKey()]) // the marker only
    expect(sessionStorage.length).toBe(0)
    expect(disabled).toHaveBeenCalledTimes(1)
    g.open()
    await vi.advanceTimersByTimeAsync(10)
    expect(count('/auth/refresh')).toBe(1)
    expect(leash.store.getState()).toMatchObject({ status: 'disabled', accessToken: null })
    expect(localStorage.getItem(sessionKey())).toBe(MARKER)
    expect(count(notes)).toBe(0)
  })

  test('on an error body from the API: the request is rejected with user_disabled, storage cleared', async () => {
    const leash = client()
    await leash.login(ALICE)
    seedAppStorage()
    await backend.admin.disable('alice')
    const error = await rejection(get(leash, notes))
    expect(error).toMatchObject({ code: 'user_disabled', status: 403 })
    expect(leash.store.getState().status).toBe('disabled')
    expect(Object.keys(localStorage)).toEqual([sessionKey()]) // the marker only
    expect(sessionStorage.length).toBe(0)
  })

  test('on an error body from the refresh: every request queued on it is rejected', async () => {
    const leash = client()
    await leash.login(ALICE)
    await backend.admin.disable('alice')
    await vi.advanceTimersByTimeAsync(301_000)
    fireEvent.keyDown(document.body)
    const errors = await Promise.all([1, 2, 3, 4, 5].map(() => rejection(get(leash, notes))))
    expect(errors.map((e) => (e as LeashError).code)).toEqual(Array(5).fill('user_disabled'))
    expect(count('/auth/refresh')).toBe(1)
    expect(count(notes)).toBe(0)
    expect(leash.store.getState().status).toBe('disabled')
    expect(localStorage.getItem(sessionKey())).toBe(MARKER)
  })

  test("clearOnDisable: 'leash' removes only Leash's keys; a function gets the storage", async () => {
    const leash = client({ clearOnDisable: 'leash' })
    await leash.login(ALICE)
    seedAppStorage()
    await backend.admin.disable('alice')
    await rejection(get(leash, notes))
    expect(localStorage.getItem(sessionKey())).toBe(MARKER)
    expect(localStorage.getItem('app:draft')).toBe('keep?')
    expect(sessionStorage.getItem('app:tab')).toBe('keep?')

    await backend.admin.enable('alice')
    const custom = vi.fn()
    const other = client({ clearOnDisable: custom, storage: 'session' })
    await other.login(ALICE)
    await backend.admin.disable('alice')
    await rejection(get(other, notes))
    expect(custom).toHaveBeenCalledWith(sessionStorage)
    expect(localStorage.getItem('app:draft')).toBe('keep?')
  })

  test('a disabled user cannot log in: user_disabled, status disabled', async () => {
    const leash = client()
    await backend.admin.disable('alice')
    expect(await rejection(leash.login(ALICE))).toMatchObject({ code: 'user_disabled' })
    expect(leash.store.getState().status).toBe('disabled')
  })
})

// Issue 15, item 7's follow-up: storage is cleared on a disable, so a reload used to lose why the user was
// signed out. A marker of the ending (no token, no user) stays under Leash's key until the next sign-in.
describe('the disable survives a reload', () => {
  const marker = () => JSON.parse(localStorage.getItem(sessionKey()) ?? 'null')

  test('a new client over the same storage starts disabled; only the marker is left; a sign-in clears it', async () => {
    const leash = client({ refreshTransport: 'body' })
    await leash.login(ALICE)
    seedAppStorage()
    await backend.admin.disable('alice')
    await rejection(leash.http.get(notes))
    expect(marker()).toEqual({ disabled: true })
    expect(localStorage.length).toBe(1) // the app's keys are gone ('all'), the marker holds no secret
    expect(sessionStorage.length).toBe(0)
    leash.dispose()

    const disabled = vi.fn()
    const reloaded = client({ refreshTransport: 'body' })
    reloaded.on('disabled', disabled)
    expect(reloaded.store.getState()).toMatchObject({
      status: 'disabled',
      user: null,
      accessToken: null,
      lastError: { code: 'user_disabled' },
    })
    expect(disabled).not.toHaveBeenCalled() // restored, not announced again
    localStorage.setItem('app:draft', 'written after the reload')
    expect(await rejection(reloaded.getAccessToken())).toMatchObject({ code: 'user_disabled' })
    expect(localStorage.getItem('app:draft')).toBe('written after the reload') // a restore clears nothing

    await backend.admin.enable('alice')
    await reloaded.login(ALICE)
    expect(marker()).toMatchObject({ user: { username: 'alice' } })
    reloaded.dispose()
    expect(client().store.getState().status).toBe('authenticated')
  })

  test("clearOnDisable: 'leash' and a login refused as disabled leave the marker too", async () => {
    await backend.admin.disable('alice')
    const leash = client({ clearOnDisable: 'leash' })
    seedAppStorage()
    expect(await rejection(leash.login(ALICE))).toMatchObject({ code: 'user_disabled' })
    expect(marker()).toEqual({ disabled: true })
    expect(localStorage.getItem('app:draft')).toBe('keep?')
    expect(client().store.getState().status).toBe('disabled')
  })

  test('a tab told of the disable keeps the marker, whatever it clears', async () => {
    const a = client({ crossTab: true })
    const b = client({ crossTab: true })
    await a.login(ALICE)
    await vi.waitFor(() => expect(b.store.getState().status).toBe('authenticated'))
    await backend.admin.disable('alice')
    await rejection(a.http.get(notes))
    await vi.waitFor(() => expect(b.store.getState().status).toBe('disabled'))
    expect(marker()).toEqual({ disabled: true })
  })
})
