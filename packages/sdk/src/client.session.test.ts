import { fireEvent } from '@testing-library/react'
import { describe, expect, test, vi } from 'vitest'
import { ALICE, mockBackend, sessionKey } from '../test/harness.js'
import type { LeashClient } from './client.js'

// idle 600 s, absolute 900 s: short enough to walk through in fake time
const { client, count, backend } = mockBackend({ accessTtl: 300, idleTimeout: 600, absoluteTimeout: 900 })

function record(leash: LeashClient) {
  const events: string[] = []
  for (const e of ['warning', 'extended', 'expired', 'refreshed'] as const) {
    leash.on(e, (p: object) => events.push(`${e}${'reason' in p ? `:${p.reason}` : ''}`))
  }
  return events
}

describe('session warning', () => {
  test('opens warnBefore early, extend() closes it, and at zero the session ends with its reason', async () => {
    const leash = client({ warnBefore: 60_000 })
    const events = record(leash)
    await leash.login(ALICE)
    const t0 = Date.now()
    await vi.advanceTimersByTimeAsync(539_000)
    expect(leash.store.getState()).toMatchObject({ status: 'authenticated', warning: null })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(leash.store.getState()).toMatchObject({
      status: 'expiring',
      warning: { endsAt: t0 + 600_000, reason: 'idle' },
    })
    expect(events).toEqual(['warning:idle'])

    await leash.extend()
    expect(leash.store.getState()).toMatchObject({ status: 'authenticated', warning: null })
    expect(count('/auth/refresh')).toBe(1)
    // idle now ends at t0 + 1140 s, so the absolute end (t0 + 900 s) comes first
    expect(leash.store.getState().sessionExpiresAt).toBe(t0 + 900_000)
    await vi.advanceTimersByTimeAsync(299_000) // t0 + 839 s
    expect(leash.store.getState().warning).toBeNull()
    await vi.advanceTimersByTimeAsync(1_000)
    expect(leash.store.getState().warning).toEqual({ endsAt: t0 + 900_000, reason: 'absolute' })
    await vi.advanceTimersByTimeAsync(59_999)
    expect(leash.store.getState().status).toBe('expiring')
    await vi.advanceTimersByTimeAsync(1)
    expect(leash.store.getState()).toMatchObject({ status: 'expired', accessToken: null, warning: null })
    expect(events).toEqual(['warning:idle', 'refreshed', 'extended', 'warning:absolute', 'expired:absolute'])
    expect(localStorage.getItem(sessionKey())).toBeNull()
  })

  test('an idle session ends at its idle deadline with reason idle, and nothing refreshes it', async () => {
    const leash = client()
    const events = record(leash)
    await leash.login(ALICE)
    await vi.advanceTimersByTimeAsync(600_000)
    expect(leash.store.getState().status).toBe('expired')
    expect(leash.store.getState().lastError?.code).toBe('session_expired')
    expect(events).toEqual(['warning:idle', 'expired:idle'])
    expect(count('/auth/refresh')).toBe(0)
  })

  test('a deadline missed while timers slept is honoured on visibilitychange and on focus', async () => {
    for (const wake of [
      () => document.dispatchEvent(new Event('visibilitychange')),
      () => fireEvent.focus(window),
    ]) {
      let slept = 0
      const leash = client({ clock: () => Date.now() + slept })
      await leash.login(ALICE)
      slept = 700_000 // the laptop slept: the clock moved, no timer ran
      expect(leash.store.getState().status).toBe('authenticated')
      wake()
      expect(leash.store.getState().status).toBe('expired')
      leash.dispose()
      await backend.reset()
    }
  })
})

describe('clock skew', () => {
  test('±1 h on the device clock does not change when the refresh or the warning happens', async () => {
    for (const skew of [-3_600_000, 0, 3_600_000]) {
      const leash = client({ clock: () => Date.now() + skew })
      const before = count('/auth/refresh')
      await leash.login(ALICE)
      const t0 = Date.now()
      expect(leash.store.getState().accessExpiresAt! - leash.clock()).toBe(300_000)
      await vi.advanceTimersByTimeAsync(1_000) // activity counts only strictly after the token was taken
      fireEvent.keyDown(document.body)
      await vi.advanceTimersByTimeAsync(238_000)
      expect(count('/auth/refresh') - before).toBe(0)
      await vi.advanceTimersByTimeAsync(2_000)
      expect(count('/auth/refresh') - before).toBe(1)
      await vi.waitFor(() => expect(leash.store.getState().status).toBe('authenticated'))
      // no more activity: the warning opens 60 s before the idle end, 600 s after that refresh
      await vi.advanceTimersByTimeAsync(t0 + 240_000 + 539_000 - Date.now())
      expect(leash.store.getState().warning).toBeNull()
      await vi.advanceTimersByTimeAsync(1_000)
      expect(leash.store.getState().warning?.reason).toBe('idle')
      leash.dispose()
      await backend.reset()
    }
  })
})
