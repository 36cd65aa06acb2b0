import { fireEvent } from '@testing-library/react'
import { HttpResponse, http } from 'msw'
import { describe, expect, test, vi } from 'vitest'
import { ALICE, gate, mockBackend, rejection, sessionKey } from '../test/harness.js'
import { transports } from '../test/transports.js'
import { LeashError } from './errors.js'

const { client, server, backend, count } = mockBackend()
const notes = '/api/notes'

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
    expect(localStorage.length).toBe(0)
    expect(sessionStorage.length).toBe(0)
    expect(disabled).toHaveBeenCalledTimes(1)
    g.open()
    await vi.advanceTimersByTimeAsync(10)
    expect(count('/auth/refresh')).toBe(1)
    expect(leash.store.getState()).toMatchObject({ status: 'disabled', accessToken: null })
    expect(localStorage.getItem(sessionKey())).toBeNull()
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
    expect(localStorage.length).toBe(0)
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
    expect(localStorage.getItem(sessionKey())).toBeNull()
  })

  test("clearOnDisable: 'leash' removes only Leash's keys; a function gets the storage", async () => {
    const leash = client({ clearOnDisable: 'leash' })
    await leash.login(ALICE)
    seedAppStorage()
    await backend.admin.disable('alice')
    await rejection(get(leash, notes))
    expect(localStorage.getItem(sessionKey())).toBeNull()
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
