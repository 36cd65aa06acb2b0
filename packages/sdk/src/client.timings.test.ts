import { fireEvent } from '@testing-library/react'
import { http } from 'msw'
import { expect, test, vi } from 'vitest'
import { ALICE, gate, mockBackend, settle } from '../test/harness.js'
import type { LeashClient } from './client.js'

// A server whose timeouts are shorter than the client's defaults: access tokens live 60 s (the default
// refresh margin) and sessions end after 120 s idle. The options are upper bounds; the server's timings
// cap them (refresh-policy.ts).
const { client, count, server } = mockBackend({ accessTtl: 60, idleTimeout: 120 })

/** Resolves once no refresh is in flight. */
const refreshDone = (leash: LeashClient) =>
  new Promise<void>((resolve) => {
    const check = () => leash.store.getState().status !== 'refreshing'
    if (check()) return resolve()
    const stop = leash.store.subscribe(() => {
      if (check()) {
        stop()
        resolve()
      }
    })
  })

test('10 minutes of mouse moves on 60 s tokens with the 60 s default margin: one refresh per half lifetime', async () => {
  const leash = client()
  const refreshedAt: number[] = []
  leash.on('refreshed', () => refreshedAt.push(Date.now()))
  await leash.login(ALICE)
  for (let t = 0; t < 600_000; t += 200) {
    fireEvent.mouseMove(document.body)
    await vi.advanceTimersByTimeAsync(200)
    await refreshDone(leash) // the mock's WebCrypto runs in real time: let fake time wait for it
  }
  const refreshes = count('/auth/refresh')
  expect(refreshes).toBeLessThanOrEqual(20) // 600 s / 30 s
  expect(refreshes).toBeGreaterThanOrEqual(19) // and the active user's token is kept fresh
  const gaps = refreshedAt.slice(1).map((at, i) => at - refreshedAt[i]!)
  expect(Math.min(...gaps)).toBeGreaterThanOrEqual(30_000)
  expect(leash.store.getState()).toMatchObject({ status: 'authenticated', warning: null })
})

test('a warning longer than the idle window: not at sign-in, at half the window, closed by extend for a full lead', async () => {
  const leash = client({ warnBefore: 300_000 }) // longer than the whole 120 s idle window
  const warnings: number[] = []
  leash.on('warning', () => warnings.push(Date.now()))
  await leash.login(ALICE)
  const t0 = Date.now()
  await vi.advanceTimersByTimeAsync(59_000)
  expect(leash.store.getState()).toMatchObject({ status: 'authenticated', warning: null })
  await vi.advanceTimersByTimeAsync(1_000)
  expect(leash.store.getState()).toMatchObject({ status: 'expiring', warning: { endsAt: t0 + 120_000 } })
  await leash.extend()
  const extendedAt = Date.now()
  expect(leash.store.getState()).toMatchObject({ status: 'authenticated', warning: null })
  await vi.advanceTimersByTimeAsync(59_999)
  expect(leash.store.getState().warning).toBeNull() // stays closed for the new lead (60 s)
  await vi.advanceTimersByTimeAsync(1)
  expect(leash.store.getState().warning).toEqual({ endsAt: extendedAt + 120_000, reason: 'idle' })
  expect(warnings).toEqual([t0 + 60_000, extendedAt + 60_000])
  await vi.advanceTimersByTimeAsync(60_000)
  expect(leash.store.getState().status).toBe('expired')
})

test('two tabs reloaded together on an expired token: exactly one refresh in the next access lifetime', async () => {
  const first = client({ crossTab: true })
  await first.login(ALICE)
  first.dispose()
  await vi.advanceTimersByTimeAsync(61_000) // the stored access token has expired
  const a = client({ crossTab: true })
  const b = client({ crossTab: true })
  // Each page loads its data as it starts; the second half a second after the first, while the first
  // tab's refresh is still on its way.
  const g = gate()
  server.use(http.post('/auth/refresh', () => g.wait)) // then on to the real server
  const loadA = a.http.get('/api/notes')
  await vi.advanceTimersByTimeAsync(500)
  const loadB = b.http.get('/api/notes')
  await vi.advanceTimersByTimeAsync(500)
  g.open()
  expect((await settle(Promise.all([loadA, loadB]))).map((r) => r.status)).toEqual([200, 200])
  expect(count('/auth/refresh')).toBe(1)
  await vi.advanceTimersByTimeAsync(59_000)
  expect(count('/auth/refresh')).toBe(1)
  expect(b.store.getState().accessToken).toBe(a.store.getState().accessToken)
})
