import { fireEvent } from '@testing-library/react'
import { HttpResponse, http } from 'msw'
import { describe, expect, test, vi } from 'vitest'
import { ALICE, gate, mockBackend, rejection, sessionKey } from '../test/harness.js'
import { transports } from '../test/transports.js'
import { LeashError } from './errors.js'

const { client, count, server, backend } = mockBackend({ accessTtl: 300, idleTimeout: 1800 })
const notes = '/api/notes'

describe.each(transports)('through $name', ({ get }) => {
  describe('silent refresh', () => {
    test('refreshes refreshMargin before expiry when the user was active, and not earlier', async () => {
      const leash = client()
      await leash.login(ALICE)
      const first = leash.store.getState().accessToken
      await vi.advanceTimersByTimeAsync(30_000)
      fireEvent.keyDown(document.body)
      await vi.advanceTimersByTimeAsync(209_000) // t = 239 s: one second before the margin
      expect(count('/auth/refresh')).toBe(0)
      await vi.advanceTimersByTimeAsync(2_000)
      expect(count('/auth/refresh')).toBe(1)
      await vi.waitFor(() => expect(leash.store.getState().status).toBe('authenticated'))
      const s = leash.store.getState()
      expect(s.accessToken).not.toBe(first)
      expect(s.accessExpiresAt! - Date.now()).toBeGreaterThan(298_000)
    })

    test('leaves an idle session alone: no refresh, even when background requests run', async () => {
      const leash = client()
      await leash.login(ALICE)
      await vi.advanceTimersByTimeAsync(250_000)
      await get(leash, notes, { background: true }) // token still valid: goes through
      await vi.advanceTimersByTimeAsync(60_000) // now expired
      const error = await rejection(get(leash, notes, { background: true }))
      expect(error).toBeInstanceOf(LeashError)
      expect((error as LeashError).code).toBe('token_expired')
      expect(count('/auth/refresh')).toBe(0)
      expect(leash.store.getState().status).toBe('authenticated')
    })

    test('a request after a pause counts as activity: the token is refreshed before it goes out', async () => {
      const leash = client()
      await leash.login(ALICE)
      await vi.advanceTimersByTimeAsync(301_000)
      const results = await Promise.all(Array.from({ length: 50 }, () => get(leash, notes)))
      expect(results.map((r) => r.status)).toEqual(Array(50).fill(200))
      expect(count('/auth/refresh')).toBe(1)
      expect(count(notes)).toBe(50) // none was sent with the expired token
    })
  })

  describe('concurrent 401s', () => {
    test('50 concurrent requests on an expired token: 1 refresh, each retried once, 50 successes', async () => {
      const leash = client({ activity: 'input' }) // requests are not activity: they go out with the stale token
      await leash.login(ALICE)
      await vi.advanceTimersByTimeAsync(301_000)
      const results = await Promise.all(Array.from({ length: 50 }, () => get(leash, notes)))
      expect(results.map((r) => r.status)).toEqual(Array(50).fill(200))
      expect(count('/auth/refresh')).toBe(1)
      expect(count(notes)).toBe(100)
    })

    test('a failed retry is not retried again', async () => {
      const leash = client({ activity: 'input' })
      await leash.login(ALICE)
      server.use(
        http.get(notes, () =>
          HttpResponse.json({ error: { code: 'token_expired', message: 'expired' } }, { status: 401 }),
        ),
      )
      const error = await rejection(get(leash, notes))
      expect(error).toMatchObject({ code: 'token_expired', status: 401 })
      expect(count(notes)).toBe(2)
      expect(count('/auth/refresh')).toBe(1)
    })

    test('a revoked session: one refresh, a typed error for every request, no loop', async () => {
      const leash = client()
      const expired = vi.fn()
      leash.on('expired', expired)
      await leash.login(ALICE)
      await backend.admin.revoke('alice')
      const errors = await Promise.all(Array.from({ length: 5 }, () => rejection(get(leash, notes))))
      expect(errors.every((e) => e instanceof LeashError && e.code === 'session_revoked')).toBe(true)
      expect(count('/auth/refresh')).toBe(1)
      expect(count(notes)).toBe(5)
      const s = leash.store.getState()
      expect(s.status).toBe('expired')
      expect(s.lastError?.code).toBe('session_revoked')
      expect(expired).toHaveBeenCalledWith(expect.objectContaining({ reason: 'server' }))
      // later requests go out without a token and are not retried
      expect(await rejection(get(leash, notes))).toMatchObject({ code: 'missing_token' })
      expect(count('/auth/refresh')).toBe(1)
    })
  })

  describe('network errors during refresh', () => {
    test('are retried with backoff and the user stays signed in', async () => {
      const leash = client()
      await leash.login(ALICE)
      let failures = 2
      server.use(http.post('/auth/refresh', () => (failures-- > 0 ? HttpResponse.error() : undefined)))
      const statuses: string[] = []
      leash.store.subscribe((s) => statuses.push(s.status))
      await vi.advanceTimersByTimeAsync(301_000)
      let done = false
      const request = get(leash, notes).finally(() => {
        done = true
      })
      await vi.advanceTimersByTimeAsync(0)
      expect(count('/auth/refresh')).toBe(1)
      await vi.advanceTimersByTimeAsync(1_000)
      expect(count('/auth/refresh')).toBe(2)
      expect(done).toBe(false)
      await vi.advanceTimersByTimeAsync(2_000)
      expect(count('/auth/refresh')).toBe(3)
      expect((await request).status).toBe(200)
      expect(statuses).not.toContain('expired')
      expect(statuses).not.toContain('loggedOut')
      expect(leash.store.getState().status).toBe('authenticated')
    })

    test('a longer outage fails the request with network_error but keeps the session', async () => {
      const leash = client()
      const failed = vi.fn()
      leash.on('refreshFailed', failed)
      await leash.login(ALICE)
      const token = leash.store.getState().accessToken
      server.use(http.post('/auth/refresh', () => HttpResponse.error()))
      await vi.advanceTimersByTimeAsync(301_000)
      const request = rejection(get(leash, notes))
      await vi.advanceTimersByTimeAsync(60_000)
      expect(await request).toMatchObject({ code: 'network_error' })
      expect(count('/auth/refresh')).toBe(6) // bounded: first try + 5 retries
      expect(failed).toHaveBeenCalledTimes(1)
      expect(leash.store.getState()).toMatchObject({ status: 'authenticated', accessToken: token })
      server.resetHandlers()
      expect((await get(leash, notes)).status).toBe(200)
      expect(count('/auth/refresh')).toBe(7)
    })
  })

  describe('write-back guard', () => {
    test('a refresh in flight during logout never writes its tokens back', async () => {
      const leash = client()
      await leash.login(ALICE)
      const g = gate()
      const forged = { access_token: 'x.eyJzdWIiOiJ4In0.y', token_type: 'Bearer', expires_in: 300 }
      server.use(
        http.post('/auth/refresh', async () => {
          await g.wait
          return HttpResponse.json({ ...forged, user_enabled: true })
        }),
      )
      const extending = rejection(leash.extend())
      await vi.advanceTimersByTimeAsync(0)
      expect(count('/auth/refresh')).toBe(1)
      await leash.logout()
      const oneSecond = leash.store.getState().accessToken
      g.open()
      expect(await extending).toMatchObject({ code: 'logged_out' })
      await vi.advanceTimersByTimeAsync(0)
      expect(leash.store.getState()).toMatchObject({ status: 'loggedOut', accessToken: oneSecond })
      expect(localStorage.getItem(sessionKey())).not.toContain(forged.access_token)
    })
  })
})

describe('through leash.http only', () => {
  test('the refresh call never passes through the app instance or its interceptors', async () => {
    const leash = client()
    const seen: string[] = []
    leash.http.interceptors.request.use((c) => {
      seen.push(c.url ?? '')
      return c
    })
    await leash.login(ALICE)
    await leash.extend()
    await leash.http.get(notes)
    expect(count('/auth/refresh')).toBe(1)
    expect(seen).toEqual([notes])
  })
})

test('a refresh the timer starts and the server refuses ends the session, and rejects into nothing', async () => {
  const unhandled = vi.fn()
  process.on('unhandledRejection', unhandled)
  try {
    const leash = client()
    const expired = vi.fn()
    leash.on('expired', expired)
    await leash.login(ALICE)
    await vi.advanceTimersByTimeAsync(1_000)
    fireEvent.keyDown(document.body) // active: the timer refreshes at the margin
    await backend.admin.revoke('alice')
    await vi.advanceTimersByTimeAsync(240_000)
    await vi.waitFor(() => expect(leash.store.getState().status).toBe('expired'))
    expect(count('/auth/refresh')).toBe(1)
    expect(expired).toHaveBeenCalledWith(expect.objectContaining({ reason: 'server' }))
    await new Promise((resolve) => setImmediate(resolve)) // let Node report what no one caught
    expect(unhandled).not.toHaveBeenCalled()
  } finally {
    process.off('unhandledRejection', unhandled)
  }
})
