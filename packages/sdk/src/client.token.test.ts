import { describe, expect, test, vi } from 'vitest'
import { ALICE, mockBackend, rejection, settle } from '../test/harness.js'
import { LeashError } from './errors.js'

// leash.getAccessToken() for another HTTP client (a WebSocket, GraphQL, a generated SDK): the same single
// flight, lock and activity rules as a request through leash.http.
const { client, count, backend } = mockBackend({ accessTtl: 300, idleTimeout: 1800 })

/** Asks the API with the token, as another HTTP client would. */
const useToken = (token: string) =>
  fetch(`${location.origin}/api/notes`, { headers: { Authorization: `Bearer ${token}` } }).then(
    (r) => r.status,
  )

describe('getAccessToken', () => {
  test('returns the current token while it is valid, without a refresh', async () => {
    const leash = client()
    await leash.login(ALICE)
    await vi.advanceTimersByTimeAsync(100_000)
    const token = await leash.getAccessToken()
    expect(token).toBe(leash.store.getState().accessToken)
    expect(await useToken(token)).toBe(200)
    expect(count('/auth/refresh')).toBe(0)
  })

  test('counts as activity: after a pause it refreshes first, once for any number of callers', async () => {
    const leash = client()
    await leash.login(ALICE)
    const first = leash.store.getState().accessToken
    await vi.advanceTimersByTimeAsync(301_000)
    const tokens = await Promise.all([
      ...Array.from({ length: 10 }, () => leash.getAccessToken()),
      leash.http.get('/api/notes').then(() => leash.store.getState().accessToken!),
    ])
    expect(new Set(tokens).size).toBe(1)
    expect(tokens[0]).not.toBe(first)
    expect(count('/auth/refresh')).toBe(1)
    expect(await useToken(tokens[0]!)).toBe(200)
  })

  test('within the refresh margin it refreshes ahead, as a request would, since it is activity', async () => {
    const leash = client()
    await leash.login(ALICE)
    const first = leash.store.getState().accessToken
    await vi.advanceTimersByTimeAsync(250_000) // 50 s left: inside the 60 s margin
    expect(await leash.getAccessToken()).not.toBe(first)
    expect(count('/auth/refresh')).toBe(1)
  })

  test('background: not activity; an idle session is not revived and runs into its warning', async () => {
    const leash = client()
    const seen: string[] = []
    for (const e of ['warning', 'expired'] as const) leash.on(e, () => seen.push(e))
    await leash.login(ALICE)
    await vi.advanceTimersByTimeAsync(250_000)
    const token = await leash.getAccessToken({ background: true }) // in the margin, but idle: the same token
    expect(token).toBe(leash.store.getState().accessToken)
    await vi.advanceTimersByTimeAsync(60_000) // expired now
    const error = await rejection(leash.getAccessToken({ background: true }))
    expect(error).toBeInstanceOf(LeashError)
    expect(error).toMatchObject({ code: 'token_expired' })
    for (let t = 310; t < 1800; t += 60) {
      await vi.advanceTimersByTimeAsync(60_000)
      await leash.getAccessToken({ background: true }).catch(() => {})
    }
    expect(count('/auth/refresh')).toBe(0)
    expect(seen).toEqual(['warning', 'expired'])
    expect(await rejection(leash.getAccessToken())).toMatchObject({ code: 'session_expired' })
  })

  test("with activity: 'input', an expired token is still refreshed for a caller that is not background", async () => {
    // requests are not activity here, so nothing refreshes ahead: the expired token is recovered as a
    // request's token_expired 401 would be, once for concurrent callers
    const leash = client({ activity: 'input' })
    await leash.login(ALICE)
    await vi.advanceTimersByTimeAsync(301_000)
    const [t1, t2] = await Promise.all([leash.getAccessToken(), leash.getAccessToken()])
    expect(t1).toBe(t2)
    expect(await useToken(t1)).toBe(200)
    expect(count('/auth/refresh')).toBe(1)
    await vi.advanceTimersByTimeAsync(301_000)
    expect(await rejection(leash.getAccessToken({ background: true }))).toMatchObject({
      code: 'token_expired',
    })
    expect(count('/auth/refresh')).toBe(1)
  })

  test('without a session it rejects no_session; after a revocation, with why the session ended', async () => {
    const leash = client()
    expect(await rejection(leash.getAccessToken())).toMatchObject({ code: 'no_session' })
    await leash.login(ALICE)
    await backend.admin.revoke('alice')
    await vi.advanceTimersByTimeAsync(301_000)
    expect(await rejection(leash.getAccessToken())).toMatchObject({ code: 'session_revoked' })
    expect(leash.store.getState().status).toBe('expired')
    expect(await rejection(leash.getAccessToken())).toMatchObject({ code: 'session_revoked' })
    expect(count('/auth/refresh')).toBe(1)
  })

  test('two tabs asking after a pause: one refresh, under the cross-tab lock', async () => {
    const a = client({ crossTab: true })
    const b = client({ crossTab: true })
    await a.login(ALICE)
    await vi.waitFor(() => expect(b.store.getState().status).toBe('authenticated'))
    await vi.advanceTimersByTimeAsync(301_000)
    const [ta, tb] = await settle(Promise.all([a.getAccessToken(), b.getAccessToken()]))
    expect(ta).toBe(tb)
    expect(count('/auth/refresh')).toBe(1)
    expect(await useToken(ta)).toBe(200)
  })
})
