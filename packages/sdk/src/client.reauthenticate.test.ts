import { describe, expect, test, vi } from 'vitest'
import { ALICE, mockBackend, ROOT, rejection, sessionKey, settle } from '../test/harness.js'
import type { LeashClient } from './client.js'
import type { LeashEvents } from './events.js'

// Step-up through the SDK, against the reference server (LEASH_REAUTH_MAX_AGE 600 s): an access token that
// outlives the step-up window (20 minutes) keeps the session alive without a refresh, so a refusal
// `reauthentication_required` is seen on a token that is otherwise good.
const { client, count } = mockBackend({ accessTtl: 1200, idleTimeout: 1800 })

const claims = (token: string | null) => JSON.parse(atob(token!.split('.')[1]!)) as Record<string, number>
const stored = () => JSON.parse(localStorage.getItem(sessionKey()) ?? 'null')
const STRONG = 'correct horse battery staple 42'

/** Records every `reauthenticationRequired` event of `leash`. */
function heard(leash: LeashClient) {
  const events: LeashEvents['reauthenticationRequired'][] = []
  leash.on('reauthenticationRequired', (e) => events.push(e))
  return events
}

/** Root, signed in `ago` ms before now, and the id of alice's account. */
async function staleAdmin(ago = 700_000) {
  const leash = client()
  await leash.login(ROOT)
  await vi.advanceTimersByTimeAsync(ago)
  const { data } = await leash.http.get<{ users: { id: string; username: string }[] }>('/admin/users')
  return { leash, alice: data.users.find((u) => u.username === 'alice')!.id }
}

describe('reauthenticate(password)', () => {
  test('a new access token with a fresh auth_time, in the same session; the refresh token stays', async () => {
    const leash = client({ refreshTransport: 'body' })
    await leash.login(ALICE)
    const before = stored()
    await vi.advanceTimersByTimeAsync(700_000)
    await leash.reauthenticate(ALICE.password)
    const { accessToken } = leash.store.getState()
    expect(accessToken).not.toBe(before.accessToken)
    expect(claims(accessToken)).toMatchObject({
      auth_time: Math.floor(Date.now() / 1000),
      sid: claims(before.accessToken).sid,
    })
    expect(claims(before.accessToken).auth_time).toBe(claims(accessToken).auth_time! - 700)
    expect(stored()).toMatchObject({ accessToken, refreshToken: before.refreshToken })
    expect(leash.store.getState().status).toBe('authenticated')
    // the kept refresh token still refreshes, and the step-up survives it
    await leash.extend()
    expect(claims(leash.store.getState().accessToken).auth_time).toBe(claims(accessToken).auth_time)
  })

  test('a wrong password rejects invalid_credentials and leaves the session as it was, without an event', async () => {
    const leash = client()
    await leash.login(ALICE)
    const events = heard(leash)
    const before = leash.store.getState()
    expect(await rejection(leash.reauthenticate('wrong-password'))).toMatchObject({
      code: 'invalid_credentials',
      status: 401,
    })
    expect(leash.store.getState()).toMatchObject({ status: 'authenticated', accessToken: before.accessToken })
    expect(events).toEqual([])
  })

  test('a step-up in one tab counts in every tab', async () => {
    const a = client({ crossTab: true, refreshTransport: 'body' })
    const b = client({ crossTab: true, refreshTransport: 'body' })
    await a.login(ALICE)
    await vi.waitFor(() => expect(b.store.getState().status).toBe('authenticated'))
    const phone = client({ storage: 'memory' }) // another device: storage of its own
    await phone.login(ALICE)
    await vi.advanceTimersByTimeAsync(700_000)
    const phoneSession = claims(phone.store.getState().accessToken).sid!
    expect(await rejection(b.revokeSession(String(phoneSession)))).toMatchObject({
      code: 'reauthentication_required',
    })
    await settle(a.reauthenticate(ALICE.password)) // the lock (a localStorage lease in jsdom) steps fake time
    await vi.waitFor(() => expect(b.store.getState().accessToken).toBe(a.store.getState().accessToken))
    expect(await settle(b.revokeSession(String(phoneSession)))).toMatchObject({ current: false })
    expect(count('/auth/reauthenticate')).toBe(1)
  })
})

describe('a refusal reauthentication_required', () => {
  test('leash.http: rejects as before, emits the event once, gets no refresh; retry sends it again once', async () => {
    const { leash, alice } = await staleAdmin()
    const events = heard(leash)
    const revoke = () => leash.http.post(`/admin/users/${alice}/revoke`)
    expect(await rejection(revoke())).toMatchObject({ code: 'reauthentication_required', status: 401 })
    expect(events).toEqual([
      { error: expect.objectContaining({ code: 'reauthentication_required' }), retry: expect.any(Function) },
    ])
    expect(count('/auth/refresh')).toBe(0) // a refresh keeps the sign-in time: none is spent on it
    expect(count(`/admin/users/${alice}/revoke`)).toBe(1)
    await leash.reauthenticate(ROOT.password)
    const retried = (await events[0]!.retry()) as { status: number; data: unknown }
    expect(retried.status).toBe(200)
    expect(retried.data).toMatchObject({ user: { id: alice } })
    expect(count(`/admin/users/${alice}/revoke`)).toBe(2)
  })

  test('leash.fetch: resolves with the 401 as fetch does, emits the event; retry resolves with the answer', async () => {
    const { leash, alice } = await staleAdmin()
    const events = heard(leash)
    const res = await leash.fetch(`/admin/users/${alice}/revoke`, { method: 'POST' })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toContain('insufficient_user_authentication')
    expect(events).toHaveLength(1)
    expect(count('/auth/refresh')).toBe(0)
    await leash.reauthenticate(ROOT.password)
    const retried = (await events[0]!.retry()) as Response
    expect(retried.status).toBe(200)
  })

  test('the password change and signing out another device tell it too, with a retry', async () => {
    const leash = client()
    await leash.login(ALICE)
    const phone = client({ storage: 'memory' }) // another device: storage of its own
    await phone.login(ALICE)
    await vi.advanceTimersByTimeAsync(700_000)
    const events = heard(leash)
    const change = { current: ALICE.password, next: STRONG }
    expect(await rejection(leash.changePassword(change))).toMatchObject({ code: 'reauthentication_required' })
    const sid = String(claims(phone.store.getState().accessToken).sid)
    expect(await rejection(leash.revokeSession(sid))).toMatchObject({ code: 'reauthentication_required' })
    expect(events).toHaveLength(2)
    expect(count('/auth/refresh')).toBe(0)
    await leash.reauthenticate(ALICE.password)
    await expect(events[1]!.retry()).resolves.toMatchObject({ revoked: sid })
    await events[0]!.retry()
    const fresh = client({ storage: 'memory' })
    expect(await fresh.login({ username: 'alice', password: STRONG })).toMatchObject({ username: 'alice' })
  })
})
